package org.fhirsnapshot.contracts.internal;

/**
 * A FHIR system as the worker needs it, secrets included: {@code GET /internal/fhir-systems/{id}} of
 * config-service. Never returned by a public API.
 */
public record FhirSystemSettings(long id, String name, String baseUrl, String patientIdentifierSystem,
        AuthSettings auth, Limits limits, Timeouts timeouts) {

    /** Settings without timeouts of their own: the worker's defaults apply. */
    public FhirSystemSettings(long id, String name, String baseUrl, String patientIdentifierSystem,
            AuthSettings auth, Limits limits) {
        this(id, name, baseUrl, patientIdentifierSystem, auth, limits, null);
    }

    /**
     * @param type none, bearer, client-secret or smart-backend
     * @param token static bearer token (bearer)
     * @param tokenUrl token endpoint (client-secret; smart-backend: discovered from
     *        {@code {base}/.well-known/smart-configuration} when null)
     * @param clientId OAuth client id (client-secret, smart-backend)
     * @param clientSecret client secret (client-secret)
     * @param scope scopes asked for, optional
     * @param privateKey PKCS#8 PEM private key signing the client assertion (smart-backend)
     * @param keyId the {@code kid} of that key (smart-backend)
     * @param algorithm RS384 or ES384 (smart-backend)
     */
    public record AuthSettings(String type, String token, String tokenUrl, String clientId, String clientSecret,
            String scope, String privateKey, String keyId, String algorithm) {

        /** Auth settings without the SMART Backend Services fields. */
        public AuthSettings(String type, String token, String tokenUrl, String clientId, String clientSecret,
                String scope) {
            this(type, token, tokenUrl, clientId, clientSecret, scope, null, null, null);
        }

        @Override
        public String toString() {
            return "AuthSettings[type=" + type + ", tokenUrl=" + tokenUrl + ", clientId=" + clientId + ", keyId="
                    + keyId + ", algorithm=" + algorithm + "]";
        }
    }

    /**
     * How hard all workers together may press the system.
     *
     * @param maxConcurrency fetches in flight at once across every worker replica, shared through config-service's
     *        {@code POST /internal/fhir-systems/{id}/request-slots} (0: only each worker's own concurrency)
     * @param requestsPerSecond requests per second across every worker replica, enforced through config-service's
     *        {@code POST /internal/fhir-systems/{id}/request-permits} (0: no limit)
     * @param pageSize the {@code _count} asked for (0: the worker's default)
     */
    public record Limits(int maxConcurrency, int requestsPerSecond, int pageSize) {
    }

    /**
     * Timeouts toward the system; 0 (or a null {@code timeouts}) means the worker's default.
     *
     * @param connectSeconds time to open a connection
     * @param readSeconds time the EHR may stay silent while answering one request
     * @param totalSeconds time one instance may take from its first request to its last page, retries included
     */
    public record Timeouts(int connectSeconds, int readSeconds, int totalSeconds) {
    }
}
