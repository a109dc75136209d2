package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.awaitility.core.ConditionTimeoutException;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;

/**
 * A snapshot of the demo cohort, fetched slowly on a {@link DisturbedStack} so that the test can kill or stop parts
 * of the stack while it runs: a slow EHR (latency on every request), small pages (several per search, so that a stop
 * can also land mid-pagination) and one fetch at a time, so that the worker claims a batch of up to 50 and fetches
 * them one by one. The latency, not config-service's default rate limit (20/s), sets the pace: requestsPerSecond is
 * far above the ~30 requests/s one fetch at a time can make. Gives the project's progress as mrn-service reports it,
 * waits for it (printing the last summary when stuck), and checks the end: every instance terminal exactly once and
 * the ZIP equal to the sandbox's ground truth with nothing in it twice.
 */
final class SnapshotRun {

    /** Catalog key or custom spec, and the search the sandbox's ground truth knows it by. */
    static final Map<String, String> MAPPINGS = Map.of(
            "demographics", "Patient",
            "laboratory", "Observation?category=laboratory",
            "problem-list", "Condition?category=problem-list-item",
            "medications", "MedicationRequest",
            "Observation?category=social-history", "Observation?category=social-history");
    static final int PAGE_SIZE = 10;
    static final long LATENCY_MILLIS = 30;
    /** Instance statuses that are no longer part of the snapshot. */
    private static final Set<String> INACTIVE = Set.of("outdated", "deleted");

    private final DisturbedStack fixture;
    private final Duration convergenceLimit;
    private final Path zipFile;
    private final SnapshotJob job;
    private final ApiClient api;
    private final SnapshotJob.Started snapshot;
    private final String summaryUrl;
    private final long expected;
    private volatile JsonNode last;

    private SnapshotRun(DisturbedStack fixture, Duration convergenceLimit, Path zipFile) {
        this.fixture = fixture;
        this.convergenceLimit = convergenceLimit;
        this.zipFile = zipFile;
        LocalStack stack = fixture.stack();
        this.job = new SnapshotJob(stack, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        // Admin tokens signed with the stack's local key, as ./fhir-snapshot run calls.
        this.api = stack.apiClient();
        stack.sandbox().faults().set(SandboxFaults.none().withLatencyMillis(LATENCY_MILLIS));
        Map<String, Object> limits = Map.of("maxConcurrency", 1, "requestsPerSecond", 500, "pageSize", PAGE_SIZE);
        this.snapshot = job.setup(new SnapshotRequest(stack.sandbox().baseUrl(), SandboxCohort.MRN_SYSTEM,
                stack.sandbox().cohort().demoMrns(), new ArrayList<>(MAPPINGS.keySet()), zipFile), limits);
        this.summaryUrl = job.summaryUrl(snapshot);
        this.expected = snapshot.expectedInstances();
        assertThat(expected).isGreaterThanOrEqualTo(250);
    }

    /**
     * Sets the sandbox's latency and creates the project (FHIR system with one fetch at a time, {@link #MAPPINGS},
     * the demo MRNs); the ZIP goes to {@code zipFile}, a wait gives up after {@code convergenceLimit}.
     */
    static SnapshotRun start(DisturbedStack fixture, Path zipFile, Duration convergenceLimit) {
        return new SnapshotRun(fixture, convergenceLimit, zipFile);
    }

    SnapshotJob.Started snapshot() {
        return snapshot;
    }

    ApiClient api() {
        return api;
    }

    long expected() {
        return expected;
    }

    private JsonNode instances() {
        last = api.get(summaryUrl);
        return last.path("instances");
    }

    /** Completed and failed instances. */
    long done() {
        JsonNode instances = instances();
        return instances.path("completed").asLong() + instances.path("failed").asLong();
    }

    long fetching() {
        return instances().path("fetching").asLong();
    }

    boolean allTerminal() {
        JsonNode instances = instances();
        long done = instances.path("completed").asLong() + instances.path("failed").asLong();
        return done >= expected && instances.path("pending").asLong() == 0
                && instances.path("fetching").asLong() == 0;
    }

    /** Waits until {@code condition} holds; when it never does, prints the last summary and where the logs are. */
    void awaitConvergence(String what, Callable<Boolean> condition) {
        try {
            await(what).atMost(convergenceLimit).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            System.out.println(fixture.name() + ": STUCK waiting " + what + "; last summary " + last);
            System.out.println(fixture.name() + ": logs in " + fixture.logs());
            throw e;
        }
    }

    /** Takes the sandbox's latency away and downloads the ZIP as the project's summary now describes it. */
    SnapshotSummary download() {
        fixture.stack().sandbox().faults().reset();
        JsonNode summary = api.get(summaryUrl);
        return job.download(snapshot, summary);
    }

    /**
     * Every instance terminal, exactly one current instance per MRN and mapping, nothing twice in the ZIP, and the
     * ZIP equal to the sandbox's ground truth.
     */
    void assertEveryInstanceTerminalOnceAndTheArchiveMatchesTheGroundTruth(SnapshotSummary result) throws Exception {
        assertThat(result.instancesByStatus().get("completed") + result.instancesByStatus().get("failed"))
                .isEqualTo(expected);
        assertThat(result.instancesByStatus().get("pending") + result.instancesByStatus().get("fetching")).isZero();
        assertOneActiveInstancePerMrnAndMapping();
        assertNothingTwiceInTheArchive();
        GroundTruthCheck.assertArchiveMatches(zipFile, fixture.stack().sandbox().cohort().groundTruth(), MAPPINGS);
    }

    /** Exactly one current instance per MRN and mapping: a kill or a restart neither lost one nor created a second. */
    private void assertOneActiveInstancePerMrnAndMapping() {
        List<String> active = new ArrayList<>();
        String base = fixture.stack().url(Service.MRN) + "/api/projects/" + snapshot.projectKey()
                + "/instances?size=1000&page=";
        for (int page = 0;; page++) {
            JsonNode result = api.get(base + page);
            result.path("items").forEach(item -> {
                if (!INACTIVE.contains(item.path("status").asText())) {
                    active.add(item.path("mrn").asText() + " " + item.path("mappingId").asText());
                }
            });
            if (result.path("items").size() < 1000) {
                break;
            }
        }
        assertThat(active).as("current instances by MRN and mapping").doesNotHaveDuplicates()
                .hasSize((int) expected);
    }

    /** No ZIP entry twice, no manifest file twice, no resource twice in the archive's files. */
    private void assertNothingTwiceInTheArchive() throws Exception {
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            assertThat(zip.stream().map(ZipEntry::getName).toList()).as("ZIP entries").doesNotHaveDuplicates();
            JsonNode manifest = GroundTruthCheck.read(zip, "manifest.json");
            List<String> files = new ArrayList<>();
            List<String> mrnAndQuery = new ArrayList<>();
            List<String> resources = new ArrayList<>();
            for (JsonNode file : manifest.path("files")) {
                files.add(file.path("path").asText());
                String key = file.path("mrn").asText() + " " + file.path("query").asText();
                mrnAndQuery.add(key);
                GroundTruthCheck.resourceIds(GroundTruthCheck.read(zip, file.path("path").asText()))
                        .forEach(id -> resources.add(key + " " + id));
            }
            assertThat(files).as("manifest files").doesNotHaveDuplicates();
            assertThat(mrnAndQuery).as("manifest files by MRN and search").doesNotHaveDuplicates();
            assertThat(resources).as("resources in the archive").doesNotHaveDuplicates();
            Set<String> failed = new HashSet<>();
            manifest.path("failed").forEach(f -> assertThat(failed.add(f.path("mrn").asText() + " " + f.path(
                    "mappingKey").asText())).as("failed entry %s listed once", f).isTrue());
        }
    }

    static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
