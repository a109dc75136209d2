package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.awaitility.core.ConditionTimeoutException;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crash safety (issue 3): while a snapshot of the demo cohort is being fetched, the fetch-worker, mrn-service,
 * sync-service and the Kafka broker are each killed with SIGKILL, one at a time, at pseudo-random moments (a seeded
 * Random; the seed is printed, {@code -Dcrash.seed=N} replays it). The stack's supervisor brings each back; nobody
 * else acts. Every instance must still reach a terminal state, the ZIP must equal the sandbox's ground truth, and
 * nothing may be in it twice. How long the system took to move again after each kill is printed and written to
 * {@code e2e-tests/target/crash-figures.md}, never asserted.
 */
class CrashRecoveryIT {

    /** Catalog key or custom spec, and the search the sandbox's ground truth knows it by. */
    private static final Map<String, String> MAPPINGS = Map.of(
            "demographics", "Patient",
            "laboratory", "Observation?category=laboratory",
            "problem-list", "Condition?category=problem-list-item",
            "medications", "MedicationRequest",
            "Observation?category=social-history", "Observation?category=social-history");
    /** What the test kills; the broker is not a {@link Service}. */
    private static final List<String> VICTIMS = List.of("fetch-worker", "mrn-service", "sync-service", "kafka");
    /** Instance statuses that are no longer part of the snapshot. */
    private static final Set<String> INACTIVE = Set.of("outdated", "deleted");
    private static final Duration CONVERGENCE_LIMIT = Duration.ofMinutes(5);
    private static final int PAGE_SIZE = 10;
    private static final long LATENCY_MILLIS = 30;

    private static LocalStack stack;
    private static Path work;
    private static ConsoleCapture jvmConsole;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-crash");
        // The test JVM's console too: PostgreSQL's server log ends up there.
        jvmConsole = ConsoleCapture.start(work);
        // Shorter safety nets than production, so that recovery fits in a test run: a lost pending-resource is
        // published again after 10 s (not 60 s), a dead worker's claims expire after 60 s (not 300 s), a task left
        // running by a killed sync-service is taken up again after 30 s (not 5 min).
        Map<Service, Map<String, String>> extra = new EnumMap<>(Service.class);
        extra.put(Service.MRN, Map.of("fhir-snapshot.publisher.republish-after", "10s"));
        extra.put(Service.FETCH_WORKER, Map.of("fhir-snapshot.fetch.lease-seconds", "60"));
        extra.put(Service.SYNC, Map.of("fhir-snapshot.tasks.stale-after", "30s"));
        // Pinned builds: a module rebuilt by someone else during the run (or between a kill and the restart) does
        // not pull the jars from under the stack.
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                extra, true), (part, endpoint) -> System.out.printf("crash: %s ready at %s%n", part, endpoint));
        System.out.println("crash: stack data and logs in " + work.resolve("stack"));
    }

    @AfterAll
    static void stopStack() {
        PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, List.of());
    }

    @Test
    void everyInstanceFinishesAndTheArchiveMatchesTheGroundTruthDespiteKills() throws Exception {
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        System.out.println("crash: seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        SandboxCohort cohort = stack.sandbox().cohort();
        List<String> mrns = cohort.demoMrns();
        Path zipFile = work.resolve("snapshot.zip");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SnapshotJob job = new SnapshotJob(stack, new PrintStream(console, true, StandardCharsets.UTF_8));
        // Admin tokens signed with the stack's local key, as ./fhir-snapshot run calls.
        ApiClient api = stack.apiClient();

        // A slow EHR (latency on every request), small pages (several per search, so that a kill can also land
        // mid-pagination) and one fetch at a time: the fetch lasts long enough for four kills to land in it. The
        // latency, not config-service's default rate limit (20/s), sets the pace: requestsPerSecond is far above the
        // ~30 requests/s one fetch at a time can make.
        stack.sandbox().faults().set(SandboxFaults.none().withLatencyMillis(LATENCY_MILLIS));
        Map<String, Object> limits = Map.of("maxConcurrency", 1, "requestsPerSecond", 500, "pageSize", PAGE_SIZE);
        SnapshotJob.Started snapshot = job.setup(new SnapshotRequest(stack.sandbox().baseUrl(),
                SandboxCohort.MRN_SYSTEM, mrns, new ArrayList<>(MAPPINGS.keySet()), zipFile), limits);
        String summaryUrl = job.summaryUrl(snapshot);
        long expected = snapshot.expectedInstances();
        assertThat(expected).isGreaterThanOrEqualTo(250);

        // The moments: the first victim dies once a random 5-15 % of the instances are done (so sync-service has
        // already turned the events into instances), each next one a random 0.5-2.5 s after the system moved again
        // (the killed part ready and one more instance done). The order is random too.
        List<String> victims = new ArrayList<>(VICTIMS);
        Collections.shuffle(victims, random);
        long firstMoment = (long) Math.ceil((0.05 + 0.1 * random.nextDouble()) * expected);
        Progress progress = new Progress(api, summaryUrl, expected);
        List<KillFigure> figures = new ArrayList<>();
        Instant lastKill = null;
        for (int i = 0; i < victims.size(); i++) {
            String victim = victims.get(i);
            if (i == 0) {
                awaitConvergence("until " + firstMoment + " instances are done", () -> progress.done() >= firstMoment
                        || progress.allTerminal(), progress);
            } else {
                pause(Duration.ofMillis(500 + random.nextInt(2000)));
            }
            long doneAtKill = progress.done();
            boolean fetchUnderWay = !progress.allTerminal();
            double at = seconds(Duration.between(snapshot.started(), Instant.now()));
            String note = fetchUnderWay ? "" : " (the fetch had already finished)";
            System.out.printf("crash: %.1f s: kill -9 %s at %d/%d instances done%s%n", at, victim, doneAtKill,
                    expected, note);
            Instant killed = Instant.now();
            lastKill = killed;
            kill(victim);
            awaitConvergence(victim + " back and ready", () -> restarted(victim), progress);
            Duration ready = Duration.between(killed, Instant.now());
            awaitConvergence("progress after killing " + victim, () -> progress.done() > doneAtKill
                    || progress.allTerminal(), progress);
            Duration moving = Duration.between(killed, Instant.now());
            KillFigure figure = new KillFigure(victim, doneAtKill, expected, fetchUnderWay, ready, moving);
            System.out.println("crash: " + figure.line());
            figures.add(figure);
        }
        awaitConvergence("every instance terminal", progress::allTerminal, progress);
        Duration settled = Duration.between(lastKill, Instant.now());
        stack.sandbox().faults().reset();

        JsonNode summary = api.get(summaryUrl);
        SnapshotSummary result = job.download(snapshot, summary);
        writeFigures(seed, expected, figures, settled, result.elapsed());

        assertThat(result.instancesByStatus().get("completed") + result.instancesByStatus().get("failed"))
                .isEqualTo(expected);
        assertThat(result.instancesByStatus().get("pending") + result.instancesByStatus().get("fetching")).isZero();
        assertOneActiveInstancePerMrnAndMapping(api, snapshot.projectKey(), expected);
        assertNothingTwiceInTheArchive(zipFile);
        GroundTruthCheck.assertArchiveMatches(zipFile, cohort.groundTruth(), MAPPINGS);
    }

    /** Waits without polling anything: Awaitility's own clock, no Thread.sleep. */
    private static void pause(Duration duration) {
        Instant until = Instant.now().plus(duration);
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> !Instant.now().isBefore(until));
    }

    private static void kill(String victim) {
        switch (victim) {
            case "kafka" -> stack.kafka().kill();
            default -> stack.process(serviceNamed(victim)).kill();
        }
    }

    /** The killed part runs again and every service is ready (readiness checks Kafka and the database). */
    private static boolean restarted(String victim) {
        boolean back = victim.equals("kafka")
                ? stack.kafka().isAlive()
                : stack.process(serviceNamed(victim)).isAlive();
        return back && Service.BACKENDS.stream().map(stack::process).allMatch(ServiceProcess::ready);
    }

    private static Service serviceNamed(String module) {
        return Service.ofModule(module);
    }

    private static void awaitConvergence(String what, java.util.concurrent.Callable<Boolean> condition,
            Progress progress) {
        try {
            await(what).atMost(CONVERGENCE_LIMIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            System.out.println("crash: STUCK waiting " + what + "; last summary " + progress.last);
            System.out.println("crash: logs in " + work.resolve("stack/logs"));
            throw e;
        }
    }

    /** Exactly one current instance per MRN and mapping: a crash neither lost one nor created a second. */
    private static void assertOneActiveInstancePerMrnAndMapping(ApiClient api, String projectKey, long expected) {
        List<JsonNode> active = new ArrayList<>();
        String base = stack.url(Service.MRN) + "/api/projects/" + projectKey + "/instances?size=1000&page=";
        for (int page = 0;; page++) {
            JsonNode result = api.get(base + page);
            result.path("items").forEach(item -> {
                if (!INACTIVE.contains(item.path("status").asText())) {
                    active.add(item);
                }
            });
            if (result.path("items").size() < 1000) {
                break;
            }
        }
        assertThat(active).extracting(item -> item.path("mrn").asText() + " " + item.path("mappingId").asText())
                .as("current instances by MRN and mapping").doesNotHaveDuplicates().hasSize((int) expected);
    }

    /** No ZIP entry twice, no manifest file twice, no resource twice in the archive's files. */
    private static void assertNothingTwiceInTheArchive(Path zipFile) throws Exception {
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertThat(names).as("ZIP entries").doesNotHaveDuplicates();
            JsonNode manifest = GroundTruthCheck.read(zip, "manifest.json");
            List<String> files = new ArrayList<>();
            List<String> mrnAndQuery = new ArrayList<>();
            List<String> resources = new ArrayList<>();
            for (JsonNode file : manifest.path("files")) {
                files.add(file.path("path").asText());
                mrnAndQuery.add(file.path("mrn").asText() + " " + file.path("query").asText());
                for (String id : GroundTruthCheck.resourceIds(GroundTruthCheck.read(zip, file.path("path")
                        .asText()))) {
                    resources.add(file.path("mrn").asText() + " " + file.path("query").asText() + " " + id);
                }
            }
            assertThat(files).as("manifest files").doesNotHaveDuplicates();
            assertThat(mrnAndQuery).as("manifest files by MRN and search").doesNotHaveDuplicates();
            assertThat(resources).as("resources in the archive").doesNotHaveDuplicates();
            Set<String> failed = new HashSet<>();
            manifest.path("failed").forEach(f -> assertThat(failed.add(f.path("mrn").asText() + " " + f.path(
                    "mappingKey").asText())).as("failed entry %s listed once", f).isTrue());
        }
    }

    private static void writeFigures(long seed, long instances, List<KillFigure> figures, Duration settled,
            Duration total) throws Exception {
        StringBuilder text = new StringBuilder();
        text.append("# Crash recovery figures\n\n");
        text.append(String.format(
                "Seed %d, %d instances, one fetch-worker fetching one search at a time in pages of %d from a sandbox answering in %d ms or more. Each part killed with SIGKILL once; the"
                        + " stack's supervisor restarts it (checked every 2 s).%n%n",
                seed, instances, PAGE_SIZE, LATENCY_MILLIS));
        text.append("| killed | at (done/total) | kill → all services ready | kill → next instance done |\n");
        text.append("| --- | --- | --- | --- |\n");
        figures.forEach(figure -> text.append(figure.row()).append('\n'));
        text.append(String.format("%nLast kill → every instance terminal: %.1f s. Whole snapshot (setup to last ZIP"
                + " byte): %.1f s.%n", seconds(settled), seconds(total)));
        System.out.println(text);
        Path target = Path.of("e2e-tests", "target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("crash-figures.md"), text);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    /** One kill and how long the system took to come back from it. */
    private record KillFigure(String victim, long doneAtKill, long total, boolean fetchUnderWay, Duration ready,
            Duration moving) {

        String line() {
            return String.format("%s killed at %d/%d: services ready after %.1f s, next instance done after %.1f s",
                    victim, doneAtKill, total, seconds(ready), seconds(moving));
        }

        String row() {
            return String.format("| %s | %d/%d%s | %.1f s | %.1f s |", victim, doneAtKill, total,
                    fetchUnderWay ? "" : " (fetch finished)", seconds(ready), seconds(moving));
        }
    }

    /** The project's instance counts as mrn-service reports them. */
    private static final class Progress {

        private final ApiClient api;
        private final String summaryUrl;
        private final long expected;
        private volatile JsonNode last;

        Progress(ApiClient api, String summaryUrl, long expected) {
            this.api = api;
            this.summaryUrl = summaryUrl;
            this.expected = expected;
        }

        private JsonNode instances() {
            last = api.get(summaryUrl);
            return last.path("instances");
        }

        long done() {
            JsonNode instances = instances();
            return instances.path("completed").asLong() + instances.path("failed").asLong();
        }

        boolean allTerminal() {
            JsonNode instances = instances();
            long done = instances.path("completed").asLong() + instances.path("failed").asLong();
            return done >= expected && instances.path("pending").asLong() == 0
                    && instances.path("fetching").asLong() == 0;
        }
    }
}
