package org.fhirsnapshot.mrn;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.fhirsnapshot.contracts.internal.MappingDefinition;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.mrn.persistence.InstanceRepository.MappingColumns;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.mrn.persistence.ProjectRepository;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * Brings a project's instances in line with its active mappings and MRNs (flows 1, 2 and 6), in one transaction of
 * set-based statements: older revisions become outdated, instances of removed mappings or MRNs deleted, completed
 * instances of a re-added MRN restored, missing instances of a mapping identical to another (same query) created
 * completed from that mapping's payload, the other missing MRN x mapping instances created pending, expired claims
 * returned to pending. Running it twice changes nothing
 * the second time. Reconciles of one project are serialised by a transaction-scoped advisory lock, so that two
 * concurrent calls report exactly what each did.
 */
@ApplicationScoped
public class ReconcileService {

    private static final Logger LOG = Logger.getLogger(ReconcileService.class);

    private final Pool pool;
    private final ProjectRepository projects;
    private final InstanceRepository instances;
    private final Timer reconcileTimer;

    public ReconcileService(Pool pool, ProjectRepository projects, InstanceRepository instances,
            MeterRegistry registry) {
        this.pool = pool;
        this.projects = projects;
        this.instances = instances;
        this.reconcileTimer = Timer.builder("fhir.snapshot.reconcile.duration")
                .description("Time a project reconcile took")
                .register(registry);
    }

    @WithSpan("ReconcileService.reconcile")
    public Uni<ReconcileResult> reconcile(String projectKey, ReconcileRequest request) {
        validate(request);
        MappingColumns mappings = MappingColumns.of(request.mappings());
        Timer.Sample sample = Timer.start();
        // Tracing: instances created in this transaction keep this reconcile's traceparent (column default from a
        // transaction-local setting, see V5_1__instance_traceparent.sql) for the publisher that runs later.
        String traceparent = InstanceTrace.current().orElse("");
        return pool.withTransaction(connection -> connection
                .preparedQuery("select pg_advisory_xact_lock(hashtextextended($1, 0))").execute(Tuple.of(projectKey))
                .chain(() -> connection.preparedQuery("select set_config('fhir_snapshot.traceparent', $1, true)")
                        .execute(Tuple.of(traceparent)))
                // A bulk transaction: room to sort and hash a million rows in memory rather than on disk.
                .chain(() -> connection.query("set local work_mem = '64MB'").execute())
                .chain(() -> projects.record(connection, projectKey, request.fhirSystemId()))
                .chain(() -> instances.markOutdated(connection, projectKey, mappings))
                .chain(outdated -> instances.markDeleted(connection, projectKey, mappings)
                        // Before creating anything: what can be restored or reused is not created pending.
                        .chain(deleted -> instances.restoreDeleted(connection, projectKey, mappings)
                                .chain(restored -> createFromIdentical(connection, projectKey, request)
                                        .map(copied -> merge(restored, copied)))
                                .chain(reused -> instances.createMissing(connection, projectKey, mappings)
                                        .chain(created -> instances.requeueExpiredLeases(connection, projectKey)
                                                .map(requeued -> ReconcileResult.of(created, outdated, deleted,
                                                        reused, requeued.size())))))))
                .invoke(report -> LOG.infof("Reconciled project %s against %d mappings: %s", projectKey,
                        request.mappings().size(), report))
                .onTermination().invoke(() -> sample.stop(reconcileTimer));
    }

    /**
     * Instances of the requested mappings whose query another requested mapping shares, created completed from the
     * same MRN's completed instance of that other mapping. Skipped (no statement) when no two mappings share a query.
     */
    private Uni<Map<Long, Integer>> createFromIdentical(SqlConnection connection, String projectKey,
            ReconcileRequest request) {
        Map<String, Long> queries = request.mappings().stream()
                .collect(Collectors.groupingBy(m -> m.resourceType() + " " + m.query(), Collectors.counting()));
        List<MappingDefinition> shared = request.mappings().stream()
                .filter(m -> queries.get(m.resourceType() + " " + m.query()) > 1).toList();
        if (shared.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Long[] allIds = request.mappings().stream().map(MappingDefinition::id).toArray(Long[]::new);
        return instances.createFromIdentical(connection, projectKey, MappingColumns.of(shared), allIds);
    }

    private static Map<Long, Integer> merge(Map<Long, Integer> a, Map<Long, Integer> b) {
        Map<Long, Integer> merged = new HashMap<>(a);
        b.forEach((id, n) -> merged.merge(id, n, Integer::sum));
        return merged;
    }

    /** Failed instances back to pending; a null or empty filter matches every failed instance. */
    public Uni<Integer> retryFailed(String projectKey, List<String> errorClasses, List<Long> mappingIds) {
        return instances.retryFailed(projectKey,
                errorClasses == null || errorClasses.isEmpty() ? null : errorClasses.toArray(new String[0]),
                mappingIds == null || mappingIds.isEmpty() ? null : mappingIds.toArray(new Long[0]));
    }

    private static void validate(ReconcileRequest request) {
        if (request == null || request.mappings() == null) {
            throw ProblemException.invalid("mappings", "mappings is required (an empty list deletes every instance).");
        }
        if (request.fhirSystemId() <= 0) {
            throw ProblemException.invalid("fhirSystemId", "fhirSystemId must be the project's FHIR system id.");
        }
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < request.mappings().size(); i++) {
            MappingDefinition m = request.mappings().get(i);
            String field = "mappings[" + i + "]";
            if (m == null) {
                throw ProblemException.invalid(field, field + " is null.");
            }
            if (!ids.add(m.id())) {
                throw ProblemException.invalid(field + ".id", "Mapping " + m.id() + " is listed twice.");
            }
            if (m.revision() < 1) {
                throw ProblemException.invalid(field + ".revision", "revision must be 1 or more.");
            }
            if (MappingType.parse(m.type()).isEmpty()) {
                throw ProblemException.invalid(field + ".type", "type must be predefined or custom.");
            }
            requireText(field + ".name", m.name());
            requireText(field + ".key", m.key());
            requireText(field + ".spec", m.spec());
            requireText(field + ".resourceType", m.resourceType());
            requireText(field + ".query", m.query());
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.invalid(field, field + " is required.");
        }
    }
}
