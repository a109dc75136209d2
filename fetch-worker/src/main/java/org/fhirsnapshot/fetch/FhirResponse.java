package org.fhirsnapshot.fetch;

/**
 * One HTTP answer of a FHIR system.
 *
 * @param status the HTTP status
 * @param contentType the Content-Type header, or null
 * @param retryAfter the Retry-After header, or null
 * @param body the body's bytes (empty when there was none)
 */
public record FhirResponse(int status, String contentType, String retryAfter, byte[] body) {

    public FhirResponse {
        body = body == null ? new byte[0] : body;
    }
}
