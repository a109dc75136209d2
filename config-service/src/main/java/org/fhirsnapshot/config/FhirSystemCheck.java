package org.fhirsnapshot.config;

/**
 * What a check of a FHIR system found.
 *
 * @param reachable whether {@code {baseUrl}/metadata} answered with a FHIR CapabilityStatement
 * @param fhirVersion the CapabilityStatement's {@code fhirVersion}, when one came back
 * @param software the CapabilityStatement's {@code software} name and version, when given
 * @param status the HTTP status of the answer, when one came back
 * @param detail what happened, in plain words
 * @param token whether an access token can be had (null only before the token part ran)
 */
public record FhirSystemCheck(boolean reachable, String fhirVersion, String software, Integer status,
        String detail, TokenCheck token) {

    /** The reachability part alone, without the token part yet. */
    public FhirSystemCheck(boolean reachable, String fhirVersion, String software, Integer status, String detail) {
        this(reachable, fhirVersion, software, status, detail, null);
    }

    public FhirSystemCheck withToken(TokenCheck tokenCheck) {
        return new FhirSystemCheck(reachable, fhirVersion, software, status, detail, tokenCheck);
    }

    /**
     * Whether the system's authentication yields an access token. The token itself is never part of it.
     *
     * @param needed whether requests to the system carry a token ({@code false} for auth type {@code none})
     * @param obtained {@code true} when a token was obtained now, {@code false} when that failed, null when nothing
     *        was requested ({@code none}; {@code bearer}, whose static token only a FHIR request can test)
     * @param lifetimeSeconds how long the obtained token lasts (stated by the token endpoint, or the 300 s assumed
     *        when it does not say), when obtained
     * @param tokenEndpoint the token endpoint asked (configured or discovered), when known
     * @param tokenStatus the token endpoint's (or the discovery's) HTTP status, when one failed with an answer
     * @param error the OAuth {@code error} of a refusal, when given
     * @param detail what happened, in plain words
     */
    public record TokenCheck(boolean needed, Boolean obtained, Long lifetimeSeconds, String tokenEndpoint,
            Integer tokenStatus, String error, String detail) {
    }
}
