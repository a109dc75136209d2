package org.fhirsnapshot.mrn.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.fhirsnapshot.mrn.InstanceStatus;
import org.jboss.logging.Logger;

/**
 * The gauge {@code fhir_snapshot_instances{status}}: resource instances of every project by status, from one grouped
 * scan of the instance table on a schedule ({@code fhir-snapshot.metrics.instance-status-interval}, 30 s by default),
 * never per scrape, so that a Prometheus scraping every replica every few seconds costs the database nothing more.
 * One series per status (six), no project label: the cardinality does not grow with the projects. Each replica
 * reports the same totals, so a dashboard takes {@code max} over replicas, not {@code sum}.
 */
@ApplicationScoped
public class InstanceStatusMetrics {

    private static final Logger LOG = Logger.getLogger(InstanceStatusMetrics.class);

    private final Pool pool;
    private final Map<InstanceStatus, AtomicLong> counts = new EnumMap<>(InstanceStatus.class);

    public InstanceStatusMetrics(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        for (InstanceStatus status : InstanceStatus.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(status, count);
            Gauge.builder("fhir.snapshot.instances", count, AtomicLong::doubleValue)
                    .description("Resource instances of every project by status (refreshed on a schedule)")
                    .tag("status", status.name()).register(registry);
        }
    }

    @Scheduled(identity = "instance-status-metrics", every = "${fhir-snapshot.metrics.instance-status-interval:30s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRefresh() {
        return refresh().onFailure().invoke(failure -> LOG.warnf("Counting instances by status failed: %s",
                failure.getClass().getSimpleName())).onFailure().recoverWithNull();
    }

    /** Counts the instances by status now and updates the gauges (a status without instances reads 0). */
    public Uni<Void> refresh() {
        return pool.query("select status, count(*) as n from instance group by status").execute().invoke(rows -> {
            Map<InstanceStatus, Long> seen = new EnumMap<>(InstanceStatus.class);
            rows.forEach(row -> InstanceStatus.parse(row.getString("status"))
                    .ifPresent(status -> seen.put(status, row.getLong("n"))));
            counts.forEach((status, count) -> count.set(seen.getOrDefault(status, 0L)));
        }).replaceWithVoid();
    }
}
