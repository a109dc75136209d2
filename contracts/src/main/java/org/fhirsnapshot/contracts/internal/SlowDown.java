package org.fhirsnapshot.contracts.internal;

/**
 * A worker tells config-service that a FHIR system asked for a pause (429 Too Many Requests with its
 * {@code Retry-After}, or the worker's backoff): {@code POST /internal/fhir-systems/{id}/slow-down}. Until the pause
 * ends, the system's shared token bucket grants no permit to any worker replica.
 *
 * @param millis how long from now, 1..3,600,000 (a longer pause already set stays)
 */
public record SlowDown(long millis) {
}
