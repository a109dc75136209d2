package org.fhirsnapshot.contracts.internal;

import java.util.List;

/**
 * A worker that stops (SIGTERM, a rolling restart) gives back the claims it will not finish: {@code POST
 * /internal/instances/release} of mrn-service. An instance goes back to pending, unpublished and with its attempt
 * given back, only while it is still fetching under the claim token named here; anything else is left alone.
 */
public record ReleaseRequest(String workerId, List<ReleasedClaim> claims) {

    /** One claim to give back: the instance and the claim token the worker got for it. */
    public record ReleasedClaim(long instanceId, String claimToken) {
    }
}
