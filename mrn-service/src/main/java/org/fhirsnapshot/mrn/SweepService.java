package org.fhirsnapshot.mrn;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.jboss.logging.Logger;

/**
 * The sweep (architecture flow 5), run by sync-service's sweeper through {@code POST /internal/sweep} and recorded
 * there as a {@code sweep} task: nothing stays fetching or published-but-unclaimed forever after a crash.
 * <ol>
 * <li>{@code fetching} instances whose lease expired (their worker died) go back to {@code pending}, unpublished.
 * This is the one place that expires leases across projects (reconcile also expires those of its own project, with
 * the same statement).</li>
 * <li>{@code pending} instances published longer ago than {@code publisher.republish-after} get
 * {@code published_at} cleared, so the publisher sends them again.</li>
 * </ol>
 * Step 2 is not the only guarantee: the publisher itself also republishes such an instance once the delay has
 * passed (see {@link org.fhirsnapshot.mrn.messaging.PendingResourcePublisher}), so a lost {@code pending-resource}
 * message is never lost for good even if the sweeper does not run. The sweep makes that visible and counted.
 */
@ApplicationScoped
public class SweepService {

    private static final Logger LOG = Logger.getLogger(SweepService.class);

    private final Pool pool;
    private final InstanceRepository instances;
    private final InstanceStatusEvents statusEvents;
    private final MrnServiceConfig.Publisher publisher;

    public SweepService(Pool pool, InstanceRepository instances, InstanceStatusEvents statusEvents,
            MrnServiceConfig config) {
        this.pool = pool;
        this.instances = instances;
        this.statusEvents = statusEvents;
        this.publisher = config.publisher();
    }

    public Uni<SweepReport> sweep() {
        return instances.requeueExpiredLeases(pool, null).invoke(statusEvents::publishAll)
                .chain(expired -> instances.resetStalePublications(publisher.republishAfter())
                        .map(republished -> report(expired, republished)))
                .invoke(report -> {
                    if (!report.projects().isEmpty()) {
                        LOG.infof("Sweep: %s", report.projects());
                    }
                });
    }

    private static SweepReport report(List<InstanceStatusChange> expired, Map<String, Integer> republished) {
        Map<String, Integer> expiredByProject = new HashMap<>();
        expired.forEach(change -> expiredByProject.merge(change.projectKey(), 1, Integer::sum));
        TreeSet<String> keys = new TreeSet<>(expiredByProject.keySet());
        keys.addAll(republished.keySet());
        List<SweepReport.ProjectSweep> projects = new ArrayList<>(keys.size());
        for (String key : keys) {
            projects.add(new SweepReport.ProjectSweep(key, expiredByProject.getOrDefault(key, 0),
                    republished.getOrDefault(key, 0)));
        }
        return new SweepReport(List.copyOf(projects));
    }
}
