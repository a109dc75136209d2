package org.fhirsnapshot.contracts.internal;

/**
 * config-service's answer to {@link SlotRequest}.
 *
 * @param slots how many requests the holder may now have in flight in total toward the system, 0..wanted; it may be
 *        less than the holder has in flight (a fairer share for others): then the holder starts no new request until
 *        its in-flight count is below {@code slots}, and reports it when it gets there
 * @param leaseMillis how long the grant holds from the moment the request was sent; renew well before (every third)
 */
public record SlotGrant(int slots, long leaseMillis) {
}
