package org.fhirsnapshot.fetch.client;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.WebApplicationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a refused call to config-service or mrn-service reaches the worker's retry logic. */
class DependencyFailuresTest {

    @ParameterizedTest
    @ValueSource(ints = {401, 403})
    void aRefusedServiceTokenIsWaitedOutNotTakenAsAFinalNo(int status) {
        Throwable translated = DependencyFailures.translate("mrn-service", new WebApplicationException(status));

        assertThat(translated).isInstanceOf(DependencyUnavailableException.class)
                .hasMessage("mrn-service refused this worker's service token (HTTP " + status + "): check "
                        + "fhir-snapshot.security.local-key or the quarkus.oidc-client settings");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 409, 422})
    void otherClientErrorsAreFinal(int status) {
        assertThat(DependencyFailures.translate("config-service", new WebApplicationException(status)))
                .isInstanceOf(DependencyRejectedException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 503})
    void overloadAndServerErrorsAreWaitedOut(int status) {
        assertThat(DependencyFailures.translate("config-service", new WebApplicationException(status)))
                .isInstanceOf(DependencyUnavailableException.class);
    }
}
