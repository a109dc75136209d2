package org.fhirsnapshot.sync;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.fhirsnapshot.sync.client.MrnServiceClient;
import org.fhirsnapshot.sync.client.SweepAnswer;
import org.fhirsnapshot.sync.client.SweepAnswer.ProjectSweep;
import org.fhirsnapshot.sync.persistence.TaskQueueRepository;
import org.jboss.logging.Logger;

/**
 * The sweeper (architecture flow 5): every {@code sweep-interval} it asks mrn-service to return instances whose lease
 * expired to pending and to publish again pending instances left unpublished, and records a completed {@code sweep}
 * task (trigger {@code schedule}) for each project where that changed something. A sweep that changed nothing
 * records nothing. Only one replica sweeps at a time: the call runs under a PostgreSQL advisory lock, in the
 * transaction that records its tasks. If mrn-service cannot be reached the sweep logs a warning (no PHI: service
 * names and counts only) and the next one tries again.
 */
@ApplicationScoped
public class Sweeper {

    /** Advisory lock key of the sweep in the {@code sync} database ("sweep" in ASCII). */
    static final long SWEEP_LOCK = 0x7377656570L;

    private static final Logger LOG = Logger.getLogger(Sweeper.class);

    private final TaskQueueRepository queue;
    private final MrnServiceClient mrnService;
    private final MeterRegistry meters;

    public Sweeper(TaskQueueRepository queue, MrnServiceClient mrnService, MeterRegistry meters) {
        this.queue = queue;
        this.mrnService = mrnService;
        this.meters = meters;
    }

    // Delayed start: the first sweep waits until the application (REST clients, Kafka channels) is up.
    @Scheduled(identity = "sweeper", every = "${fhir-snapshot.tasks.sweep-interval:30s}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> sweep() {
        return queue.exclusively(SWEEP_LOCK, () -> mrnService.sweep().map(Sweeper::tasksOf))
                .invoke(recorded -> recorded.ifPresentOrElse(
                        ids -> swept(ids.isEmpty() ? "idle" : "changed"),
                        () -> {
                            LOG.debug("Another replica is sweeping; this one skips");
                            swept("skipped");
                        }))
                .onFailure().invoke(e -> {
                    LOG.warnf("Sweep failed, the next sweep tries again: %s", e.getMessage());
                    swept("failed");
                })
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One completed {@code sweep} task per project the sweep changed; none when it changed nothing. */
    static List<CompletedTask> tasksOf(SweepAnswer answer) {
        return answer.changed().stream().map(Sweeper::taskOf).toList();
    }

    static CompletedTask taskOf(ProjectSweep project) {
        JsonObject report = new JsonObject().put("leasesExpired", project.leasesExpired())
                .put("republished", project.republished());
        String summary = project.leasesExpired() + " expired lease(s) back to pending, " + project.republished()
                + " pending instance(s) published again";
        LOG.infof("Sweep of project %s: %s", project.projectKey(), summary);
        return new CompletedTask(project.projectKey(), TaskType.SWEEP, TaskTrigger.SCHEDULE, report,
                List.of("opened: scheduled sweep at mrn-service", "completed: " + summary));
    }

    private void swept(String outcome) {
        meters.counter("fhir.snapshot.sweeps", "outcome", outcome).increment();
    }
}
