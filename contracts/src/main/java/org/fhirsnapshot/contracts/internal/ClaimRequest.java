package org.fhirsnapshot.contracts.internal;

import java.util.List;

/**
 * A worker claims instances before fetching them: {@code POST /internal/instances/claim} of mrn-service. Only
 * instances still pending are claimed (pending to fetching, with a lease and a fresh claim token).
 */
public record ClaimRequest(List<Long> instanceIds, String workerId, int leaseSeconds) {
}
