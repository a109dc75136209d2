package org.fhirsnapshot.e2e;

import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.e2e.SnapshotRun.seconds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crash safety (issue 3): while a snapshot of the demo cohort is being fetched, the fetch-worker, mrn-service,
 * sync-service and the Kafka broker are each killed with SIGKILL, one at a time, at pseudo-random moments (a seeded
 * Random; the seed is printed, {@code -Dcrash.seed=N} replays it). The stack's supervisor brings each back; nobody
 * else acts. Every instance must still reach a terminal state, the ZIP must equal the sandbox's ground truth, and
 * nothing may be in it twice. How long the system took to move again after each kill is printed and written to
 * {@code e2e-tests/target/crash-figures.md}, never asserted.
 */
class CrashRecoveryIT {

    /** What the test kills; the broker is not a {@link Service}. */
    private static final List<String> VICTIMS = List.of("fetch-worker", "mrn-service", "sync-service", "kafka");
    private static final Duration CONVERGENCE_LIMIT = Duration.ofMinutes(5);

    @RegisterExtension
    static final DisturbedStack STACK = new DisturbedStack("crash", shorterSafetyNets());

    /**
     * Shorter safety nets than production, so that recovery fits in a test run: a lost pending-resource is published
     * again after 10 s (not 60 s), a dead worker's claims expire after 60 s (not 300 s), a task left running by a
     * killed sync-service is taken up again after 30 s (not 5 min).
     */
    private static Map<Service, Map<String, String>> shorterSafetyNets() {
        Map<Service, Map<String, String>> extra = new EnumMap<>(Service.class);
        extra.put(Service.MRN, Map.of("fhir-snapshot.publisher.republish-after", "10s"));
        extra.put(Service.FETCH_WORKER, Map.of("fhir-snapshot.fetch.lease-seconds", "60"));
        extra.put(Service.SYNC, Map.of("fhir-snapshot.tasks.stale-after", "30s"));
        return extra;
    }

    @Test
    void everyInstanceFinishesAndTheArchiveMatchesTheGroundTruthDespiteKills() throws Exception {
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        System.out.println("crash: seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        // A slow EHR, small pages and one fetch at a time (SnapshotRun): the fetch lasts long enough for four kills
        // to land in it, some mid-pagination.
        SnapshotRun run = SnapshotRun.start(STACK, STACK.work().resolve("snapshot.zip"), CONVERGENCE_LIMIT);
        long expected = run.expected();

        // The moments: the first victim dies once a random 5-15 % of the instances are done (so sync-service has
        // already turned the events into instances), each next one a random 0.5-2.5 s after the system moved again
        // (the killed part ready and one more instance done). The order is random too.
        List<String> victims = new ArrayList<>(VICTIMS);
        Collections.shuffle(victims, random);
        long firstMoment = (long) Math.ceil((0.05 + 0.1 * random.nextDouble()) * expected);
        List<KillFigure> figures = new ArrayList<>();
        Instant lastKill = null;
        for (int i = 0; i < victims.size(); i++) {
            String victim = victims.get(i);
            if (i == 0) {
                run.awaitConvergence("until " + firstMoment + " instances are done", () -> run.done() >= firstMoment
                        || run.allTerminal());
            } else {
                pause(Duration.ofMillis(500 + random.nextInt(2000)));
            }
            long doneAtKill = run.done();
            boolean fetchUnderWay = !run.allTerminal();
            double at = seconds(Duration.between(run.snapshot().started(), Instant.now()));
            String note = fetchUnderWay ? "" : " (the fetch had already finished)";
            System.out.printf("crash: %.1f s: kill -9 %s at %d/%d instances done%s%n", at, victim, doneAtKill,
                    expected, note);
            Instant killed = Instant.now();
            lastKill = killed;
            kill(victim);
            run.awaitConvergence(victim + " back and ready", () -> restarted(victim));
            Duration ready = Duration.between(killed, Instant.now());
            run.awaitConvergence("progress after killing " + victim, () -> run.done() > doneAtKill
                    || run.allTerminal());
            Duration moving = Duration.between(killed, Instant.now());
            KillFigure figure = new KillFigure(victim, doneAtKill, expected, fetchUnderWay, ready, moving);
            System.out.println("crash: " + figure.line());
            figures.add(figure);
        }
        run.awaitConvergence("every instance terminal", run::allTerminal);
        Duration settled = Duration.between(lastKill, Instant.now());

        SnapshotSummary result = run.download();
        writeFigures(seed, expected, figures, settled, result.elapsed());

        run.assertEveryInstanceTerminalOnceAndTheArchiveMatchesTheGroundTruth(result);
    }

    /** Waits without polling anything: Awaitility's own clock, no Thread.sleep. */
    private static void pause(Duration duration) {
        Instant until = Instant.now().plus(duration);
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> !Instant.now().isBefore(until));
    }

    private static void kill(String victim) {
        LocalStack stack = STACK.stack();
        switch (victim) {
            case "kafka" -> stack.kafka().kill();
            default -> stack.process(serviceNamed(victim)).kill();
        }
    }

    /** The killed part runs again and every service is ready (readiness checks Kafka and the database). */
    private static boolean restarted(String victim) {
        LocalStack stack = STACK.stack();
        boolean back = victim.equals("kafka")
                ? stack.kafka().isAlive()
                : stack.process(serviceNamed(victim)).isAlive();
        return back && Service.BACKENDS.stream().map(stack::process).allMatch(ServiceProcess::ready);
    }

    private static Service serviceNamed(String module) {
        return Service.ofModule(module);
    }

    private static void writeFigures(long seed, long instances, List<KillFigure> figures, Duration settled,
            Duration total) throws Exception {
        StringBuilder text = new StringBuilder();
        text.append("# Crash recovery figures\n\n");
        text.append(String.format(
                "Seed %d, %d instances, one fetch-worker fetching one search at a time in pages of %d from a sandbox answering in %d ms or more. Each part killed with SIGKILL once; the"
                        + " stack's supervisor restarts it (checked every 2 s).%n%n",
                seed, instances, SnapshotRun.PAGE_SIZE, SnapshotRun.LATENCY_MILLIS));
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
}
