package org.fhirsnapshot.contracts.internal;

/**
 * config-service's answer to {@link RequestPermits}.
 *
 * @param granted permits granted, 0..wanted; each may be used for one request, now
 * @param retryAfterMillis when nothing was granted, how long to wait before asking again; 0 otherwise
 */
public record PermitGrant(int granted, long retryAfterMillis) {
}
