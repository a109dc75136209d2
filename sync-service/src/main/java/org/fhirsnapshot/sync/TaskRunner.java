package org.fhirsnapshot.sync;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.fhirsnapshot.contracts.internal.ProjectMappings;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.sync.client.ConfigServiceClient;
import org.fhirsnapshot.sync.client.DownstreamRejectedException;
import org.fhirsnapshot.sync.client.DownstreamUnavailableException;
import org.fhirsnapshot.sync.client.MrnServiceClient;
import org.fhirsnapshot.sync.client.ProjectNotFoundException;
import org.fhirsnapshot.sync.config.TasksConfig;
import org.fhirsnapshot.sync.persistence.TaskQueueRepository;
import org.jboss.logging.Logger;

/**
 * Runs pending tasks. Every poll it puts stale runs back to pending, then starts due tasks (one per project at a
 * time, at most {@code max-concurrent} on this replica) and lets them run in the background, so that a long
 * reconcile of one project does not hold the others back. Any number of replicas may poll: the database decides who
 * starts what ({@code FOR UPDATE SKIP LOCKED} plus a unique index of running tasks per project).
 */
@ApplicationScoped
public class TaskRunner {

    private static final Logger LOG = Logger.getLogger(TaskRunner.class);
    /** How long runs under way may take to finish when the replica stops. */
    static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(8);

    private final TaskQueueRepository queue;
    private final ConfigServiceClient configService;
    private final MrnServiceClient mrnService;
    private final TasksConfig config;
    private final RetryBackoff backoff;
    private final MeterRegistry meters;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The runs this replica has under way, given back at shutdown if they do not finish in time. */
    private final Set<RunningTask> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public TaskRunner(TaskQueueRepository queue, ConfigServiceClient configService, MrnServiceClient mrnService,
            TasksConfig config, MeterRegistry meters) {
        this.queue = queue;
        this.configService = configService;
        this.mrnService = mrnService;
        this.config = config;
        this.backoff = new RetryBackoff(config.initialBackoff(), config.maxBackoff());
        this.meters = meters;
        meters.gauge("fhir.snapshot.tasks.running", inFlight);
    }

    // Delayed start, and skipped until the application has started: no poll races the boot (REST clients, channels).
    @Scheduled(identity = "task-runner", every = "${fhir-snapshot.tasks.poll-interval:300ms}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> poll() {
        return requeueStale().chain(this::startDueTasks)
                .onFailure().invoke(e -> LOG.warnf("Task poll failed, next poll retries: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @Scheduled(identity = "processed-message-cleanup", every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> forgetOldMessages() {
        return queue.forgetProcessedMessages(config.processedMessageRetention())
                .invoke(count -> LOG.debugf("Forgot %d consumed message ids", count)).replaceWithVoid();
    }

    private Uni<Void> requeueStale() {
        return queue.stale(config.staleAfter()).onItem().transformToMulti(tasks -> Multi.createFrom().iterable(tasks))
                .onItem().transformToUniAndConcatenate(task -> queue.retryLater(task, "it was still running after "
                        + describe(config.staleAfter()) + " (its replica stopped or lost the database)", Duration.ZERO,
                        config.maxAttempts()))
                .collect().last().replaceWithVoid();
    }

    /** Starts tasks until the replica is full or none is due. */
    private Uni<Void> startDueTasks() {
        if (stopping || inFlight.get() >= config.maxConcurrent()) {
            return Uni.createFrom().voidItem();
        }
        return queue.startNext().chain(next -> {
            if (next.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            inFlight.incrementAndGet();
            RunningTask task = next.get();
            running.add(task);
            Timer.Sample sample = Timer.start(meters);
            run(task).onTermination().invoke(() -> {
                inFlight.decrementAndGet();
                ended(task);
                sample.stop(meters.timer("fhir.snapshot.task.run", "type", task.type().value()));
            }).subscribe().with(done -> {
            }, e -> LOG.errorf(e, "Task %d: its outcome could not be recorded; it is retried once stale", task.id()));
            return startDueTasks();
        });
    }

    private void ended(RunningTask task) {
        synchronized (running) {
            running.remove(task);
            running.notifyAll();
        }
    }

    /**
     * Graceful shutdown (issue 8): on SIGTERM this replica starts no task, lets the runs under way finish for
     * {@link #SHUTDOWN_DRAIN}, and puts those still running back to pending at once, so that another replica (or
     * this one restarted) takes them up on its next poll instead of after {@code stale-after} (5 min). A run that
     * ends after all changes nothing (its run token no longer matches); reconcile and retry-failed are idempotent.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        long deadline = System.nanoTime() + SHUTDOWN_DRAIN.toNanos();
        synchronized (running) {
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                try {
                    running.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<RunningTask> unfinished = List.copyOf(running);
        for (RunningTask task : unfinished) {
            try {
                queue.retryLater(task, "its replica was shut down", Duration.ZERO, config.maxAttempts()).await()
                        .atMost(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warnf("Task %d: could not be put back to pending at shutdown (%s); it is retried once stale",
                        task.id(), e.getMessage());
            }
        }
        LOG.infof("Stopped: %d task runs put back to pending", unfinished.size());
    }

    /** One run of a task, ending in a recorded outcome (completed, failed, or pending for another attempt). */
    Uni<Void> run(RunningTask task) {
        LOG.infof("Task %d (%s of project %s) attempt %d started", task.id(), task.type(), task.projectKey(),
                task.attempt());
        Uni<JsonObject> work = switch (task.type()) {
            case SYNC, FULL_SYNC -> reconcile(task);
            case RETRY_FAILED -> retryFailed(task);
            case SWEEP -> Uni.createFrom()
                    .failure(new DownstreamRejectedException("sweep tasks are recorded by the sweeper, not queued"));
        };
        return work.chain(report -> queue.complete(task, report, "completed: " + summary(task, report))
                .invoke(() -> attempted(task, "completed")))
                .onFailure().recoverWithUni(failure -> recordFailure(task, failure)).replaceWithVoid();
    }

    private Uni<JsonObject> reconcile(RunningTask task) {
        return queue.progress(task, 0, 2, "asking config-service for the project's active mappings")
                .chain(() -> configService.activeMappings(task.projectKey()))
                .call(mappings -> queue.progress(task, 1, 2, "config-service: " + mappings.mappings().size()
                        + " active mapping(s) on FHIR system " + mappings.fhirSystemId()
                        + "; asking mrn-service to reconcile"))
                .chain((ProjectMappings mappings) -> mrnService.reconcile(task.projectKey(),
                        new ReconcileRequest(mappings.fhirSystemId(), mappings.mappings())))
                .call(report -> queue.progress(task, 2, 2, null))
                .map(report -> reportOf(task.type(), report));
    }

    private Uni<JsonObject> retryFailed(RunningTask task) {
        RetryFilter filter = task.filter() == null ? RetryFilter.ALL : task.filter();
        return queue.progress(task, 0, 2, "checking the project at config-service")
                .chain(() -> configService.activeMappings(task.projectKey()))
                .call(() -> queue.progress(task, 1, 2, "asking mrn-service to retry failed instances ("
                        + filter.describe() + ")"))
                .chain(() -> mrnService.retryFailed(task.projectKey(), filter))
                .call(requeued -> queue.progress(task, 2, 2, null))
                .map(requeued -> new JsonObject().put("requeued", requeued));
    }

    /** The four counts every reconcile answer has; newer mrn-services add {@code reused} and {@code byMapping}. */
    private static final List<String> COUNTS = List.of("created", "outdated", "deleted", "requeued");

    static JsonObject reportOf(TaskType type, ReconcileReport report) {
        return reportOf(type, JsonObject.mapFrom(report));
    }

    /**
     * The task's report from mrn-service's reconcile answer: every field of the answer is kept (per-mapping counts
     * {@code byMapping} and {@code reused} included, and fields this version does not know), the four counts are
     * always present, and a {@code full-sync} that changed nothing (no count above zero, {@code reused} included)
     * says {@code summary: "nothing to do"}.
     */
    static JsonObject reportOf(TaskType type, JsonObject answer) {
        JsonObject json = answer.copy();
        json.remove("summary");
        for (String count : COUNTS) {
            json.put(count, count(answer, count));
        }
        if (answer.containsKey("reused")) {
            json.put("reused", count(answer, "reused"));
        }
        if (type == TaskType.FULL_SYNC && nothingDone(json)) {
            json.put("summary", "nothing to do");
        }
        return json;
    }

    private static boolean nothingDone(JsonObject report) {
        return COUNTS.stream().allMatch(count -> report.getInteger(count) == 0)
                && report.getInteger("reused", 0) == 0;
    }

    private static int count(JsonObject answer, String name) {
        Object value = answer.getValue(name);
        if (value == null) {
            return 0;
        }
        if (value instanceof Number number) {
            return number.intValue();
        }
        throw new DownstreamRejectedException("mrn-service answered the reconcile with an unreadable " + name);
    }

    static String summary(RunningTask task, JsonObject report) {
        if (report.containsKey("summary")) {
            return report.getString("summary");
        }
        if (task.type() == TaskType.RETRY_FAILED) {
            return report.getInteger("requeued") + " failed instance(s) back to pending";
        }
        String counts = "created " + report.getInteger("created") + ", outdated " + report.getInteger("outdated")
                + ", deleted " + report.getInteger("deleted") + ", requeued " + report.getInteger("requeued");
        if (report.containsKey("reused")) {
            counts += ", reused " + report.getInteger("reused");
        }
        JsonArray byMapping = report.getValue("byMapping") instanceof JsonArray mappings ? mappings : null;
        return byMapping == null ? counts : counts + " over " + byMapping.size() + " mapping(s)";
    }

    private Uni<Boolean> recordFailure(RunningTask task, Throwable failure) {
        if (failure instanceof DownstreamUnavailableException unavailable) {
            Duration delay = backoff.after(task.attempt());
            LOG.infof("Task %d attempt %d failed: %s", task.id(), task.attempt(), unavailable.getMessage());
            return queue.retryLater(task, unavailable.getMessage(), delay, config.maxAttempts())
                    .invoke(() -> attempted(task, task.attempt() >= config.maxAttempts() ? "failed" : "retried"));
        }
        String error;
        if (failure instanceof ProjectNotFoundException notFound) {
            error = notFound.disabled()
                    ? "project not found: " + task.projectKey() + " is disabled at config-service"
                    : "project not found: config-service does not know " + task.projectKey();
        } else if (failure instanceof DownstreamRejectedException rejected) {
            error = rejected.getMessage();
        } else {
            String reference = UUID.randomUUID().toString();
            LOG.errorf(failure, "Task %d failed unexpectedly, reference %s", task.id(), reference);
            error = "the task failed unexpectedly; quote reference " + reference + " to an operator";
        }
        LOG.infof("Task %d failed: %s", task.id(), error);
        return queue.fail(task, error).invoke(() -> attempted(task, "failed"));
    }

    /** Counts runs by outcome: completed, failed, or retried (back to pending for another attempt). */
    private void attempted(RunningTask task, String outcome) {
        meters.counter("fhir.snapshot.task.runs", "type", task.type().value(), "outcome", outcome).increment();
    }

    private static String describe(Duration duration) {
        return duration.toSeconds() >= 60 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }
}
