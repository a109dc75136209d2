package org.fhirsnapshot.config;

/**
 * How hard the workers may press a FHIR system.
 *
 * @param maxConcurrency most requests in flight at once
 * @param requestsPerSecond most requests per second
 * @param pageSize the {@code _count} asked for per page
 */
public record FhirSystemLimits(int maxConcurrency, int requestsPerSecond, int pageSize) {

    public static final int DEFAULT_MAX_CONCURRENCY = 4;
    public static final int DEFAULT_REQUESTS_PER_SECOND = 20;
    public static final int DEFAULT_PAGE_SIZE = 100;

    /** The limits given, each missing one at its default. */
    public static FhirSystemLimits withDefaults(Integer maxConcurrency, Integer requestsPerSecond, Integer pageSize) {
        return new FhirSystemLimits(maxConcurrency != null ? maxConcurrency : DEFAULT_MAX_CONCURRENCY,
                requestsPerSecond != null ? requestsPerSecond : DEFAULT_REQUESTS_PER_SECOND,
                pageSize != null ? pageSize : DEFAULT_PAGE_SIZE);
    }
}
