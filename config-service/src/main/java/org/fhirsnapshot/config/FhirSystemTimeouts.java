package org.fhirsnapshot.config;

/**
 * Timeouts toward a FHIR system; each null one means the worker's default.
 *
 * @param connectSeconds time to open a connection, 1..{@value #MAX_CONNECT_SECONDS}
 * @param readSeconds time the EHR may stay silent while answering one request, 1..{@value #MAX_READ_SECONDS}
 * @param totalSeconds time one instance may take from its first request to its last page, retries included,
 *        1..{@value #MAX_TOTAL_SECONDS}
 */
public record FhirSystemTimeouts(Integer connectSeconds, Integer readSeconds, Integer totalSeconds) {

    public static final int MAX_CONNECT_SECONDS = 300;
    public static final int MAX_READ_SECONDS = 3600;
    public static final int MAX_TOTAL_SECONDS = 86400;

    /** No timeout of its own: the worker's defaults apply. */
    public static FhirSystemTimeouts defaults() {
        return new FhirSystemTimeouts(null, null, null);
    }
}
