package org.fhirsnapshot.contracts.internal;

/**
 * A worker replica asks config-service how many requests it may have in flight at once toward one FHIR system:
 * {@code POST /internal/fhir-systems/{id}/request-slots}. The slots of every replica together never exceed the
 * system's maximum of concurrent requests. A grant is a lease: the holder renews it (every third of the lease) while
 * it holds or wants slots, and slots not renewed return to the others when the lease ends.
 *
 * @param holder the worker replica asking (its stable id), 1..200 characters, no PHI
 * @param wanted slots wanted now (requests in flight plus those waiting), 0..1000; 0 = release all once nothing is
 *        in flight
 * @param inUse requests this holder has in flight now, 0..1000; they keep occupying slots (even above a shrunken
 *        grant) until they end, so nobody else is granted them meanwhile
 * @param maxConcurrency the system's maximum of concurrent requests as the worker read it, at least 1 (config-service
 *        uses the lower of this and the stored limit)
 */
public record SlotRequest(String holder, int wanted, int inUse, int maxConcurrency) {
}
