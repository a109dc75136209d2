package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.e2e.SnapshotRun.seconds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Graceful shutdown (issue 8): while a snapshot of the demo cohort is being fetched, every service gets SIGTERM in
 * turn, one at a time, as a rolling restart does (the fetch-worker first, while it certainly holds claims, then
 * mrn-service, config-service, sync-service and archive-service); the stack's supervisor starts each again, as a
 * Deployment would. Every service must stop on its own within Kubernetes' grace period (45 s), every instance must
 * end terminal exactly once, the ZIP must equal the sandbox's ground truth, the worker's log must say what it did
 * with its claims, and — the point of giving claims back — no instance may stay {@code fetching} anywhere near the
 * 300 s lease: the claims of the stopped worker are fetched again at once. Figures go to
 * {@code e2e-tests/target/rolling-restart-figures.md}; only the logical bounds are asserted.
 */
class RollingRestartIT {

    /**
     * The order of the rolling restart, and the share of the instances done before each SIGTERM (so that the stops
     * are spread over the run): the worker first, while it holds a batch of claims.
     */
    private static final Map<Service, Double> ORDER = orderedMap(Service.FETCH_WORKER, 0.1, Service.MRN, 0.3,
            Service.CONFIG, 0.5, Service.SYNC, 0.65, Service.ARCHIVE, 0.8);
    /** Kubernetes' terminationGracePeriodSeconds of the manifests (deploy/). */
    private static final Duration GRACE = Duration.ofSeconds(45);
    /** The worker's claim lease (fhir-snapshot.fetch.lease-seconds, left at its default here). */
    private static final Duration LEASE = Duration.ofSeconds(300);
    /**
     * No instance may stay fetching half a lease: without the release, the stopped worker's claims would stay
     * fetching for the whole lease (then wait for the next sweep). A claim may rightly stay fetching for a while: it
     * waits in its batch (up to 50) for the one-at-a-time fetches before it, and longer while config-service, which
     * hands out the request slots, restarts.
     */
    private static final Duration LONGEST_FETCHING = Duration.ofSeconds(150);
    private static final Duration CONVERGENCE_LIMIT = Duration.ofMinutes(4);
    private static final Pattern STOPPED = Pattern.compile(
            "stopped after (\\d+) ms: (\\d+) fetches finished, released (\\d+) claims \\((\\d+) not started, (\\d+) "
                    + "still running");

    /**
     * Production safety nets: a lost pending-resource is republished after 60 s and claims last 300 s, so that an
     * instance fetched again quickly can only owe it to the worker giving its claims back.
     */
    @RegisterExtension
    static final DisturbedStack STACK = new DisturbedStack("rolling", Map.of());

    @Test
    void aRollingRestartOfEveryServiceLosesNothingAndTheWorkerGivesItsClaimsBack() throws Exception {
        LocalStack stack = STACK.stack();
        // A slow EHR and one fetch at a time (SnapshotRun): the worker claims a batch of up to 50 and fetches them
        // one by one, so that at any moment it holds many claims whose fetch has not started.
        SnapshotRun run = SnapshotRun.start(STACK, STACK.work().resolve("snapshot.zip"), CONVERGENCE_LIMIT);
        long expected = run.expected();
        FetchingWatch watch = new FetchingWatch(run.api(), stack.url(Service.MRN) + "/api/projects/"
                + run.snapshot().projectKey() + "/instances?status=fetching&size=1000");

        List<RestartFigure> figures = new ArrayList<>();
        Instant workerStopped = null;
        try {
            for (Map.Entry<Service, Double> step : ORDER.entrySet()) {
                Service service = step.getKey();
                long moment = (long) Math.ceil(step.getValue() * expected);
                if (service == Service.FETCH_WORKER) {
                    // The worker holds a batch of claims, most of them not started (one fetch at a time).
                    run.awaitConvergence("the worker holding claims at " + moment + " instances done",
                            () -> run.done() >= moment && run.fetching() >= 5);
                } else {
                    run.awaitConvergence(moment + " instances done", () -> run.done() >= moment
                            || run.allTerminal());
                }
                long doneAtStop = run.done();
                boolean fetchUnderWay = !run.allTerminal();
                ServiceProcess process = stack.process(service);
                System.out.printf("rolling: %.1f s: SIGTERM %s at %d/%d instances done%n",
                        seconds(Duration.between(run.snapshot().started(), Instant.now())), service.module(),
                        doneAtStop,
                        expected);
                Instant stopped = Instant.now();
                if (service == Service.FETCH_WORKER) {
                    workerStopped = stopped;
                }
                OptionalInt exit = process.terminate(GRACE);
                Duration exited = Duration.between(stopped, Instant.now());
                assertThat(exit).as("%s stopped on its own within %s of SIGTERM", service.module(), GRACE)
                        .isPresent();
                run.awaitConvergence(service.module() + " back and ready", () -> process.isAlive()
                        && Service.BACKENDS.stream().map(stack::process).allMatch(ServiceProcess::ready));
                Duration ready = Duration.between(stopped, Instant.now());
                run.awaitConvergence("progress after restarting " + service.module(), () -> run.done() > doneAtStop
                        || run.allTerminal());
                RestartFigure figure = new RestartFigure(service.module(), doneAtStop, expected, fetchUnderWay,
                        exit.getAsInt(), exited, ready, Duration.between(stopped, Instant.now()));
                System.out.println("rolling: " + figure.line());
                figures.add(figure);
            }
            run.awaitConvergence("every instance terminal", run::allTerminal);
        } finally {
            watch.close();
        }
        Duration workerToDone = Duration.between(workerStopped, Instant.now());

        WorkerStop workerStop = WorkerStop.readFrom(stack.process(Service.FETCH_WORKER).logFile());
        SnapshotSummary result = run.download();
        writeFigures(expected, figures, workerStop, watch.longest(), workerToDone, result.elapsed());

        assertThat(workerStop.finished() + workerStop.released()).as("the stopped worker had work in flight")
                .isPositive();
        assertThat(workerStop.released()).as("claims the stopped worker gave back").isPositive();
        assertThat(watch.longest()).as("the longest any instance stayed fetching (the lease is %s)", LEASE)
                .isLessThan(LONGEST_FETCHING);
        assertThat(workerToDone).as("worker stopped → every instance terminal, less than one lease")
                .isLessThan(LEASE);
        run.assertEveryInstanceTerminalOnceAndTheArchiveMatchesTheGroundTruth(result);
    }

    private static void writeFigures(long instances, List<RestartFigure> figures, WorkerStop workerStop,
            Duration longestFetching, Duration workerToDone, Duration total) throws Exception {
        StringBuilder text = new StringBuilder();
        text.append("# Rolling restart figures\n\n");
        text.append(String.format("%d instances, one fetch-worker fetching one search at a time in pages of %d from a"
                + " sandbox answering in %d ms or more; claim lease %d s, republish-after 60 s (defaults). Each service"
                + " got SIGTERM once, in this order, at about 10/30/50/65/80 %% of the instances done; the stack's"
                + " supervisor starts it again (checked every 2 s).%n%n",
                instances, SnapshotRun.PAGE_SIZE, SnapshotRun.LATENCY_MILLIS, LEASE.toSeconds()));
        text.append("| SIGTERM | at (done/total) | exit code | SIGTERM → exited | → all services ready |"
                + " → next instance done |\n");
        text.append("| --- | --- | --- | --- | --- | --- |\n");
        figures.forEach(figure -> text.append(figure.row()).append('\n'));
        text.append(String.format("%nThe worker's own account: stopped after %d ms, %d fetches finished, %d claims"
                + " released (%d not started, %d still running after the drain time).%n", workerStop.millis(),
                workerStop.finished(), workerStop.released(), workerStop.notStarted(), workerStop.stillRunning()));
        text.append(String.format("Longest time any instance was seen fetching (polled every second): %.1f s"
                + " (lease: %d s).%n", seconds(longestFetching), LEASE.toSeconds()));
        text.append(String.format("Worker SIGTERM → every instance terminal: %.1f s. Whole snapshot (setup to last"
                + " ZIP byte): %.1f s.%n", seconds(workerToDone), seconds(total)));
        System.out.println(text);
        Path target = Path.of("e2e-tests", "target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("rolling-restart-figures.md"), text);
    }

    private static Map<Service, Double> orderedMap(Object... serviceAndShare) {
        Map<Service, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < serviceAndShare.length; i += 2) {
            map.put((Service) serviceAndShare[i], (Double) serviceAndShare[i + 1]);
        }
        return map;
    }

    /** One service's restart. */
    private record RestartFigure(String service, long doneAtStop, long total, boolean fetchUnderWay, int exitCode,
            Duration exited, Duration ready, Duration moving) {

        String line() {
            return String.format("%s stopped at %d/%d: exited (code %d) after %.1f s, services ready after %.1f s,"
                    + " next instance done after %.1f s", service, doneAtStop, total, exitCode, seconds(exited),
                    seconds(ready), seconds(moving));
        }

        String row() {
            return String.format("| %s | %d/%d%s | %d | %.1f s | %.1f s | %.1f s |", service, doneAtStop, total,
                    fetchUnderWay ? "" : " (fetch finished)", exitCode, seconds(exited), seconds(ready),
                    seconds(moving));
        }
    }

    /** What the stopped worker logged about its claims (GracefulShutdown's last line). */
    private record WorkerStop(long millis, int finished, int released, int notStarted, int stillRunning) {

        static WorkerStop readFrom(Path log) throws Exception {
            Matcher matcher = STOPPED.matcher(Files.readString(log));
            assertThat(matcher.find()).as("the worker's log (%s) says how it stopped", log).isTrue();
            return new WorkerStop(Long.parseLong(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                    Integer.parseInt(matcher.group(3)), Integer.parseInt(matcher.group(4)),
                    Integer.parseInt(matcher.group(5)));
        }
    }

    /**
     * Polls the project's fetching instances every second (through mrn-service's API; a poll while mrn-service
     * restarts is skipped) and keeps the longest time one was seen fetching without a break.
     */
    private static final class FetchingWatch implements AutoCloseable {

        private final ApiClient api;
        private final String url;
        private final Map<Long, Instant> since = new ConcurrentHashMap<>();
        private final AtomicLong longestMillis = new AtomicLong();
        private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "fetching-watch");
            thread.setDaemon(true);
            return thread;
        });

        FetchingWatch(ApiClient api, String url) {
            this.api = api;
            this.url = url;
            poller.scheduleWithFixedDelay(this::poll, 0, 1, TimeUnit.SECONDS);
        }

        private void poll() {
            try {
                Instant now = Instant.now();
                Set<Long> fetching = new HashSet<>();
                api.get(url).path("items").forEach(item -> fetching.add(item.path("id").asLong()));
                since.keySet().retainAll(fetching);
                fetching.forEach(id -> since.putIfAbsent(id, now));
                since.values().forEach(first -> longestMillis.accumulateAndGet(
                        Duration.between(first, now).toMillis(), Math::max));
            } catch (RuntimeException e) {
                // mrn-service restarting: the next poll sees the same instances still fetching, if they are.
            }
        }

        Duration longest() {
            return Duration.ofMillis(longestMillis.get());
        }

        @Override
        public void close() {
            poller.shutdownNow();
        }
    }
}
