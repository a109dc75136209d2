package org.fhirsnapshot.sandbox;

/**
 * Counters of what the sandbox's FHIR endpoint has served since it started, also served as JSON at
 * {@code /sandbox/stats}.
 *
 * @param requests every HTTP request to {@code /fhir}, whatever its outcome
 * @param searches search requests (the first page of a search; refused ones included)
 * @param pages searchset Bundles served: first pages and pages fetched through {@code next} links
 * @param throttled requests answered 429 because they went past {@link SandboxFaults#rateLimitPerSecond()} or came
 *        inside {@link SandboxFaults#throttleWindow()}
 * @param transientErrors requests answered 503, 500 or 429 by {@link SandboxFaults#transientErrorRate()}
 * @param tokensIssued access tokens issued by the SMART Backend Services token endpoint
 * @param unauthorized {@code /fhir} requests answered 401 because SMART Backend Services is required and they
 *        carried no valid, unexpired token
 * @param peakRequestsPerSecond the most {@code /fhir} requests (as counted in {@code requests}) that arrived within
 *        one second of each other: a sliding window of one second, ending at each request's arrival, since the
 *        sandbox started or its faults were last set or reset (unlike the other counters, which never restart). A
 *        token bucket of N requests per second that holds one second of requests lets at most 2N through in any
 *        one second (a full bucket at once, then N refilled): N per second is its rate over longer spans
 */
public record SandboxStats(long requests, long searches, long pages, long throttled, long transientErrors,
        long tokensIssued, long unauthorized, long peakRequestsPerSecond) {
}
