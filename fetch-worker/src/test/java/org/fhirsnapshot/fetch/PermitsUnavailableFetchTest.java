package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Timeouts;
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A system with a shared rate limit while config-service, which hands out its permits, cannot be reached: the
 * permits are asked for over real HTTP at a port nobody listens on (the way {@code ConfigServiceRestClient} asks),
 * so every request for permits is refused. The fetch waits, asking again with backoff, sends nothing to the EHR, and
 * fails only when its total timeout passes, saying why.
 */
class PermitsUnavailableFetchTest {

    private static final Vertx CLIENT_VERTX = Vertx.vertx();
    private static FhirSandbox sandbox;
    private static FetchWorkerParts worker;
    private static WebClient web;

    @BeforeAll
    static void start() throws IOException {
        sandbox = FhirSandbox.start(0);
        int nobody;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = socket.getLocalPort();
        }
        String configService = "http://127.0.0.1:" + nobody;
        web = WebClient.create(CLIENT_VERTX);
        worker = new FetchWorkerParts(Map.of(), (systemId, request) -> web
                .postAbs(configService + "/internal/fhir-systems/" + systemId + "/request-permits")
                .sendJson(request).map(response -> response.bodyAsJson(PermitGrant.class)));
    }

    @AfterAll
    static void stop() {
        worker.close();
        web.close();
        CLIENT_VERTX.closeAndAwait();
        sandbox.close();
    }

    @Test
    void aFetchWaitingForPermitsThatNeverComeFailsAsRateLimitedAtItsTotalTimeoutWithoutSendingAnything() {
        FhirSystemSettings system = new FhirSystemSettings(41, "limited", sandbox.baseUrl(), SandboxCohort.MRN_SYSTEM,
                new AuthSettings("none", null, null, null, null, null), new Limits(4, 5, 100),
                new Timeouts(0, 0, 2));
        ClaimedInstance claim = new ClaimedInstance(1, "token-1", "permits-test", 1, 1, "mrn-1", "p1", "Patient",
                "Patient", 1);
        SandboxStats before = sandbox.stats();

        FetchResult result = worker.instances.fetch(claim, system).await().atMost(Duration.ofSeconds(30));

        assertThat(result.errorClass()).isEqualTo("rate_limited");
        assertThat(result.errorMessage()).isEqualTo("no request permit for the FHIR system's rate limit could be "
                + "obtained within the fetch's total timeout of 2 s: config-service, which hands the permits out, "
                + "could not be reached");
        assertThat(sandbox.stats().requests()).isEqualTo(before.requests());
    }
}
