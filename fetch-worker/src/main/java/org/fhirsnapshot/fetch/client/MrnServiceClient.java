package org.fhirsnapshot.fetch.client;

import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.ReleaseRequest;

/**
 * mrn-service as the worker sees it: claims with a timeout, a few quick retries when mrn-service is briefly
 * unavailable, and its HTTP statuses translated ({@link DependencyUnavailableException},
 * {@link DependencyRejectedException}).
 */
@ApplicationScoped
public class MrnServiceClient {

    private final MrnServiceRestClient rest;

    public MrnServiceClient(@RestClient MrnServiceRestClient rest) {
        this.rest = rest;
    }

    /**
     * Claims the instances that are still pending, for {@code leaseSeconds}; instances left out of the answer are
     * no longer pending (fetched, deleted, claimed by another worker) and must be skipped.
     */
    @Timeout(value = 20, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 3, delay = 250, jitter = 100, retryOn = {DependencyUnavailableException.class,
            org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class})
    @ExponentialBackoff(maxDelay = 4000)
    public Uni<List<ClaimedInstance>> claim(List<Long> instanceIds, String workerId, int leaseSeconds) {
        return rest.claim(new ClaimRequest(instanceIds, workerId, leaseSeconds))
                .map(claimed -> claimed == null ? List.<ClaimedInstance>of() : claimed)
                .onFailure().transform(failure -> DependencyFailures.translate("mrn-service", failure));
    }

    /**
     * Gives back claims this worker will not finish (graceful shutdown): mrn-service puts each instance still
     * fetching under its claim token back to pending and publishes it again. Completes with how many went back.
     */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 250, jitter = 100, retryOn = {DependencyUnavailableException.class,
            org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class})
    public Uni<Integer> release(List<ClaimedInstance> claims, String workerId) {
        List<ReleaseRequest.ReleasedClaim> released = claims.stream()
                .map(claim -> new ReleaseRequest.ReleasedClaim(claim.instanceId(), claim.claimToken())).toList();
        return rest.release(new ReleaseRequest(workerId, released))
                .map(result -> result == null ? 0 : result.released())
                .onFailure().transform(failure -> DependencyFailures.translate("mrn-service", failure));
    }
}
