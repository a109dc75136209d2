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
 */
public record SandboxStats(long requests, long searches, long pages, long throttled, long transientErrors,
        long tokensIssued, long unauthorized) {
}
