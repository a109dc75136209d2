package org.fhirsnapshot.mrn;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.problem.ProblemException;

/**
 * A fetch worker claims instances before fetching them (flow 3): only those still pending are claimed; the answer
 * carries the MRN, which therefore travels over REST only, never over Kafka.
 */
@ApplicationScoped
public class ClaimService {

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
}
