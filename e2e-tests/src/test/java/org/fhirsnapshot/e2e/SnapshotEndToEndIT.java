package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole system as processes (every service, a real Kafka broker and PostgreSQL) against the FHIR sandbox,
 * driven through the public APIs exactly as the command line drives it, and checked against the sandbox's own
 * ground truth.
 */
class SnapshotEndToEndIT {

    /** Catalog key or custom spec, and the search the sandbox's ground truth knows it by. */
    private static final Map<String, String> MAPPINGS = Map.of(
            "demographics", "Patient",
            "laboratory", "Observation?category=laboratory",
            "problem-list", "Condition?category=problem-list-item",
            "medications", "MedicationRequest",
            "Observation?category=social-history", "Observation?category=social-history");

    private static LocalStack stack;
    private static Path work;
    private static ConsoleCapture jvmConsole;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-e2e");
        // The test JVM's console too: PostgreSQL's server log ends up there.
        jvmConsole = ConsoleCapture.start(work);
        // Pinned builds: a module rebuilt by someone else during the run does not pull the jars from under it.
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                Map.of(), true),
                (part, endpoint) -> System.out.printf("e2e: %s ready at %s%n", part, endpoint));
    }

    @AfterAll
    static void stopStack() {
        PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, List.of());
    }

    @Test
    void snapshotOfTheDemoCohortMatchesTheSandboxGroundTruth() throws Exception {
        SandboxCohort cohort = stack.sandbox().cohort();
        List<String> mrns = cohort.demoMrns();
        assertThat(mrns).hasSizeGreaterThanOrEqualTo(50);
        Path zipFile = work.resolve("snapshot.zip");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        // The demo's limits (500 requests/s, far above what this pipeline asks of the sandbox), not config-service's
        // default of 20/s: the efficiency figure measures the pipeline, not the rate limiter.
        SnapshotSummary summary = new SnapshotJob(stack, new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(new SnapshotRequest(stack.sandbox().baseUrl(), SandboxCohort.MRN_SYSTEM, mrns,
                        new ArrayList<>(MAPPINGS.keySet()), zipFile), SnapshotJob.SANDBOX_LIMITS);

        GroundTruth truth = cohort.groundTruth();
        assertThat(summary.instancesByStatus().get("completed") + summary.instancesByStatus().get("failed"))
                .isEqualTo((long) mrns.size() * MAPPINGS.size());
        GroundTruthCheck.assertArchiveMatches(zipFile, truth, MAPPINGS);
        Figures.record(summary, stack.sandbox(), truth, MAPPINGS.values());
    }

}
