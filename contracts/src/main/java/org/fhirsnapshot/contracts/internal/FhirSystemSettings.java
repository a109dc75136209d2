package org.fhirsnapshot.contracts.internal;

/**
 * A FHIR system as the worker needs it, secrets included: {@code GET /internal/fhir-systems/{id}} of
 * config-service. Never returned by a public API.
 */
public record FhirSystemSettings(long id, String name, String baseUrl, String patientIdentifierSystem,
        AuthSettings auth, Limits limits) {

    /**
     * @param type none, bearer, client-secret or smart-backend
     */
    public record AuthSettings(String type, String token, String tokenUrl, String clientId, String clientSecret,
            String scope) {
    }

    public record Limits(int maxConcurrency, int requestsPerSecond, int pageSize) {
    }
}
