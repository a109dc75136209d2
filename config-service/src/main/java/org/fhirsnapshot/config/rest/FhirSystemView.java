package org.fhirsnapshot.config.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import org.fhirsnapshot.config.FhirSystemAuth;
import org.fhirsnapshot.config.persistence.FhirSystemEntity;

/** A FHIR system as the public API shows it: never with a secret, only whether one is stored. */
public record FhirSystemView(long id, String name, String baseUrl, String patientIdentifierSystem, AuthView auth,
        LimitsView limits, Instant createdAt, Instant updatedAt) {

    /** The auth settings without secrets. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuthView(String type, String clientId, String tokenUrl, String scope, String keyId,
            String algorithm, boolean hasSecret) {
    }

    public record LimitsView(int maxConcurrency, int requestsPerSecond, int pageSize) {
    }

    public static FhirSystemView of(FhirSystemEntity entity) {
        FhirSystemAuth auth = entity.auth();
        return new FhirSystemView(entity.id, entity.name, entity.baseUrl, entity.patientIdentifierSystem,
                new AuthView(auth.type(), auth.clientId(), auth.tokenUrl(), auth.scope(), auth.keyId(),
                        auth.algorithm(), auth.hasSecret()),
                new LimitsView(entity.maxConcurrency, entity.requestsPerSecond, entity.pageSize), entity.createdAt,
                entity.updatedAt);
    }
}
