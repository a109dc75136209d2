package org.fhirsnapshot.mrn;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.regex.Pattern;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.ReleaseRequest;
import org.fhirsnapshot.contracts.internal.ReleaseResult;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * A fetch worker claims instances before fetching them (flow 3): only those still pending are claimed; the answer
 * carries the MRN, which therefore travels over REST only, never over Kafka.
 */
@ApplicationScoped
public class ClaimService {

    private static final Logger LOG = Logger.getLogger(ClaimService.class);
    private static final Pattern CLAIM_TOKEN = Pattern.compile("[0-9a-fA-F-]{1,64}");
    private final InstanceRepository instances;
    private final InstanceStatusEvents statusEvents;
    private final MrnServiceConfig.Claim settings;

    public ClaimService(InstanceRepository instances, InstanceStatusEvents statusEvents, MrnServiceConfig config) {
        this.instances = instances;
        this.statusEvents = statusEvents;
        this.settings = config.claim();
    }

    public Uni<List<ClaimedInstance>> claim(ClaimRequest request) {
        if (request == null || request.instanceIds() == null) {
            throw ProblemException.invalid("instanceIds", "instanceIds is required.");
        }
        if (request.instanceIds().size() > settings.maxInstances()) {
            throw ProblemException.invalid("instanceIds",
                    "A claim may name at most " + settings.maxInstances() + " instances.");
        }
        if (request.instanceIds().stream().anyMatch(id -> id == null)) {
            throw ProblemException.invalid("instanceIds", "instanceIds must not contain null.");
        }
        if (request.workerId() == null || request.workerId().isBlank() || request.workerId().length() > 200) {
            throw ProblemException.invalid("workerId", "workerId is required (at most 200 characters).");
        }
        if (request.leaseSeconds() > settings.maxLeaseSeconds()) {
            throw ProblemException.invalid("leaseSeconds",
                    "leaseSeconds may be at most " + settings.maxLeaseSeconds() + ".");
        }
        if (request.instanceIds().isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int lease = request.leaseSeconds() > 0 ? request.leaseSeconds() : settings.defaultLeaseSeconds();
        return instances.claim(request.instanceIds(), request.workerId(), lease).map(claims -> {
            statusEvents.publishAll(claims.stream().map(c -> new InstanceStatusChange(c.instance().projectKey(),
                    c.instance().instanceId(), c.mappingId(), InstanceStatus.fetching, c.at(), c.protectedRecord(),
                    c.errorClass())).toList());
            return claims.stream().map(InstanceRepository.Claim::instance).toList();
        });
    }

    /**
     * Gives back the claims a stopping worker will not finish (issue 8): each instance still fetching under the named
     * token goes back to pending and is published again by the windowed publisher's next run, long before its lease
     * would have expired. A token that no longer matches changes nothing, so a release racing a result is harmless.
     */
    public Uni<ReleaseResult> release(ReleaseRequest request) {
        if (request == null || request.claims() == null) {
            throw ProblemException.invalid("claims", "claims is required.");
        }
        if (request.claims().size() > settings.maxInstances()) {
            throw ProblemException.invalid("claims",
                    "A release may name at most " + settings.maxInstances() + " claims.");
        }
        if (request.claims().stream().anyMatch(claim -> claim == null || claim.claimToken() == null
                || !CLAIM_TOKEN.matcher(claim.claimToken()).matches())) {
            throw ProblemException.invalid("claims", "Every claim needs its instanceId and the claimToken its claim "
                    + "answered (a UUID: hexadecimal digits and dashes, at most 64).");
        }
        if (request.workerId() == null || request.workerId().isBlank() || request.workerId().length() > 200
                || request.workerId().chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.invalid("workerId",
                    "workerId is required (at most 200 characters, no control characters).");
        }
        if (request.claims().isEmpty()) {
            return Uni.createFrom().item(new ReleaseResult(0));
        }
        List<Long> ids = request.claims().stream().map(ReleaseRequest.ReleasedClaim::instanceId).toList();
        List<String> tokens = request.claims().stream().map(ReleaseRequest.ReleasedClaim::claimToken).toList();
        return instances.release(ids, tokens).map(released -> {
            statusEvents.publishAll(released);
            LOG.infof("worker %s released %d of %d claims; they are pending again", request.workerId(),
                    released.size(), ids.size());
            return new ReleaseResult(released.size());
        });
    }
}
