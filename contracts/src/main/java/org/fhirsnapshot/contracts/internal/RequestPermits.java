package org.fhirsnapshot.contracts.internal;

/**
 * A worker asks config-service for permits to send requests to one FHIR system:
 * {@code POST /internal/fhir-systems/{id}/request-permits}. One permit is one HTTP request to the EHR; the permits
 * of every worker replica together never exceed {@code requestsPerSecond} (a token bucket holding one second of
 * permits, shared in config-service's database).
 *
 * @param wanted permits wanted now, 1..1000
 * @param requestsPerSecond the system's limit as the worker read it from its settings, at least 1
 */
public record RequestPermits(int wanted, int requestsPerSecond) {
}
