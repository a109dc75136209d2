package org.fhirsnapshot.config.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.time.Instant;
import org.fhirsnapshot.config.FhirSystemAuth;
import org.fhirsnapshot.config.persistence.FhirSystemEntity;

/** A FHIR system as the public API shows it: never with a secret, only whether one is stored. */
public record FhirSystemView(long id, String name, String baseUrl, String patientIdentifierSystem, AuthView auth,
        LimitsView limits, TimeoutsView timeouts, Instant createdAt, Instant updatedAt) {

    /**
     * The auth settings without secrets; for smart-backend, {@code jwksUrl} is the public JWK Set to register with
     * the EHR.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuthView(String type, String clientId, String tokenUrl, String scope, String keyId,
            String algorithm, String jwksUrl, boolean hasSecret) {
    }

    public record LimitsView(int maxConcurrency, int requestsPerSecond, int pageSize) {
    }

    /** Timeouts toward the system; null = the worker's default. */
    public record TimeoutsView(Integer connectSeconds, Integer readSeconds, Integer totalSeconds) {
    }

    /**
     * @param baseUri the service's base URI as the client reached it (X-Forwarded-* honoured when
     *        {@code quarkus.http.proxy.proxy-address-forwarding} is on), for the absolute {@code jwksUrl}
     */
    public static FhirSystemView of(FhirSystemEntity entity, URI baseUri) {
        FhirSystemAuth auth = entity.authWithoutSecrets();
        String jwksUrl = FhirSystemAuth.SMART_BACKEND.equals(auth.type())
                ? baseUri.resolve("api/fhir-systems/" + entity.id + "/jwks.json").toString()
                : null;
        return new FhirSystemView(entity.id, entity.name, entity.baseUrl, entity.patientIdentifierSystem,
                new AuthView(auth.type(), auth.clientId(), auth.tokenUrl(), auth.scope(), auth.keyId(),
                        auth.algorithm(), jwksUrl, entity.hasSecret()),
                new LimitsView(entity.maxConcurrency, entity.requestsPerSecond, entity.pageSize),
                new TimeoutsView(entity.connectTimeoutSeconds, entity.readTimeoutSeconds, entity.totalTimeoutSeconds),
                entity.createdAt,
                entity.updatedAt);
    }
}
