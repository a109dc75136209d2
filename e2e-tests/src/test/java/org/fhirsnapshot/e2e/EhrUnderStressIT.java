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
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An EHR under stress (issue 4): a few hundred MRNs fetched by two fetch-worker replicas from a sandbox that answers
 * 5 % of requests with a transient 503/500/429, requires SMART Backend Services with short-lived tokens, and enforces
 * a rate limit of N requests per second (its token bucket answers 429 past it). The FHIR system is registered
 * through the public API with the same N as {@code limits.requestsPerSecond}, so the workers, sharing config-service's
 * limiter, must stay under the EHR's limit together. Every instance must still end as the ground truth says, and the
 * sandbox's counters must show the limit held: nothing refused by its rate limit. The figures (rate, shares,
 * tokens) are written to {@code e2e-tests/target/ehr-stress-figures.md}, never asserted beyond the limit itself.
 */
class EhrUnderStressIT {

    /** Catalog key, and the search the sandbox's ground truth knows it by; laboratory pages for three patients. */
    private static final Map<String, String> MAPPINGS = Map.of(
            "demographics", "Patient",
            "laboratory", "Observation?category=laboratory",
            "medications", "MedicationRequest");
    private static final int MRNS = 300;
    /** N: the EHR's limit and the FHIR system's {@code limits.requestsPerSecond}. */
    private static final int REQUESTS_PER_SECOND = 25;
    private static final int WORKERS = 2;
    /** Per worker replica: 8 requests in flight together could go far past N, so only the limiter keeps them under. */
    private static final int MAX_CONCURRENCY = 4;
    private static final double TRANSIENT_ERROR_RATE = 0.05;
    /** Short, so that each worker renews its token several times during the run (the worker renews at half-life). */
    private static final int TOKEN_LIFETIME_SECONDS = 20;
    private static final long FAULT_SEED = 20_261_126L;
    private static final String CLIENT_ID = "fhir-snapshot-e2e";
    private static final Duration FETCH_LIMIT = Duration.ofMinutes(6);

    private static LocalStack stack;
    private static FhirSandbox sandbox;
    private static Path work;
    private static ConsoleCapture jvmConsole;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-stress");
        // The test JVM's console too: PostgreSQL's server log ends up there.
        jvmConsole = ConsoleCapture.start(work);
        // The sandbox serves the larger cohort (SandboxCohort.demo(MRNS)). Pinned builds: a module rebuilt by someone
        // else during the run does not pull the jars from under it.
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0,
                WORKERS, Map.of(), true, MRNS),
                (part, endpoint) -> System.out.printf("stress: %s ready at %s%n", part, endpoint));
        sandbox = stack.sandbox();
        System.out.println("stress: stack data and logs in " + work.resolve("stack"));
    }

    @AfterAll
    static void stopStack() {
        PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), WORKERS, List.of());
    }

    @Test
    void everyInstanceCompletesUnderTransientErrorsShortTokensAndARateLimitThatHolds() throws Exception {
        GroundTruth truth = sandbox.cohort().groundTruth();
        Path zipFile = work.resolve("snapshot.zip");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SnapshotJob job = new SnapshotJob(stack, new PrintStream(console, true, StandardCharsets.UTF_8));
        // Admin tokens signed with the stack's local key, as ./fhir-snapshot run calls.
        ApiClient api = stack.apiClient();
        SnapshotRequest request = new SnapshotRequest(sandbox.baseUrl(), SandboxCohort.MRN_SYSTEM,
                sandbox.cohort().demoMrns(), new ArrayList<>(MAPPINGS.keySet()), zipFile);

        // SMART Backend Services as a hospital sets it up: config-service generates the key pair, the EHR registers
        // the client with the public JWK Set config-service publishes. The token endpoint is left to discovery.
        Map<String, Object> auth = Map.of("type", "smart-backend", "clientId", CLIENT_ID, "scope", "system/*.read");
        Map<String, Object> limits = Map.of("maxConcurrency", MAX_CONCURRENCY, "requestsPerSecond",
                REQUESTS_PER_SECOND);
        long systemId = job.registerFhirSystem(request, auth, limits);
        JsonNode jwks = api.get(stack.url(Service.CONFIG) + "/api/fhir-systems/" + systemId + "/jwks.json");
        assertThat(jwks.path("keys")).hasSize(1);
        sandbox.requireSmartBackend(CLIENT_ID, jwks.path("keys").get(0).toString(), TOKEN_LIFETIME_SECONDS);
        // Setting the faults also restarts the sandbox's peak per second: it measures this run only.
        sandbox.faults().set(SandboxFaults.none().withTransientErrorRate(TRANSIENT_ERROR_RATE)
                .withRateLimitPerSecond(REQUESTS_PER_SECOND).withSeed(FAULT_SEED));
        SandboxStats before = sandbox.stats();

        Instant fetchStarted = Instant.now();
        SnapshotJob.Started snapshot = job.setup(request, systemId);
        long expected = snapshot.expectedInstances();
        assertThat(expected).isEqualTo((long) MRNS * MAPPINGS.size());
        Watch watch = new Watch(fetchStarted, before.throttled());
        JsonNode summary = awaitAllTerminal(api, job.summaryUrl(snapshot), expected, watch);
        Duration fetch = Duration.between(fetchStarted, Instant.now());
        SandboxStats after = sandbox.stats();
        sandbox.faults().reset();
        SnapshotSummary result = job.download(snapshot, summary);
        writeFigures(before, after, fetch, result, watch);

        assertThat(result.instancesByStatus().get("completed") + result.instancesByStatus().get("failed"))
                .isEqualTo(expected);
        GroundTruthCheck.assertArchiveMatches(zipFile, truth, MAPPINGS);
        assertThat(after.transientErrors() - before.transientErrors()).as("transient errors injected").isPositive();
        assertThat(after.tokensIssued() - before.tokensIssued()).as("access tokens issued")
                .isGreaterThanOrEqualTo(2);
        long requests = after.requests() - before.requests();
        assertThat(after.throttled() - before.throttled())
                .as("requests the sandbox's rate limit of %d/s refused (of %d)", REQUESTS_PER_SECOND, requests)
                .isZero();
        // config-service's shared bucket refills N a second and holds N/5, so over any one-second window it grants at
        // most N + N/5 permits; a request reaches the sandbox a little after its permit, so a window of arrivals can
        // also hold the permits of up to 100 ms before it (another N/10), at most 1.3 N in all.
        assertThat(after.peakRequestsPerSecond()).as("most /fhir requests within one sliding second")
                .isLessThanOrEqualTo(REQUESTS_PER_SECOND * 13L / 10);
    }

    /**
     * Every instance completed or failed, none pending or fetching; the project's last summary. Notes on the way when
     * the sandbox's rate limit first refused a request (a figure: at the start's burst, or later).
     */
    private static JsonNode awaitAllTerminal(ApiClient api, String summaryUrl, long expected, Watch watch) {
        JsonNode[] last = new JsonNode[1];
        try {
            await("every instance terminal").atMost(FETCH_LIMIT).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> {
                        watch.look(sandbox.stats());
                        last[0] = api.get(summaryUrl);
                        JsonNode instances = last[0].path("instances");
                        return instances.path("completed").asLong() + instances.path("failed").asLong() >= expected
                                && instances.path("pending").asLong() == 0
                                && instances.path("fetching").asLong() == 0;
                    });
        } catch (ConditionTimeoutException e) {
            System.out.println("stress: STUCK; last summary " + last[0] + "; sandbox " + sandbox.stats());
            System.out.println("stress: logs in " + work.resolve("stack/logs"));
            throw e;
        }
        return last[0];
    }

    private static void writeFigures(SandboxStats before, SandboxStats after, Duration fetch,
            SnapshotSummary result, Watch watch) throws Exception {
        long requests = after.requests() - before.requests();
        long throttled = after.throttled() - before.throttled();
        long transientErrors = after.transientErrors() - before.transientErrors();
        double seconds = fetch.toMillis() / 1000.0;
        String text = String.format(
                """
                        # EHR under stress: figures

                        %d MRNs × %d mappings (%d instances), %d fetch-worker replicas (maxConcurrency %d each), against a
                        sandbox enforcing N = %d requests/s (token bucket holding one second), answering %.0f %% of requests
                        with a transient 503/500/429 (seed %d) and requiring SMART Backend Services with %d s tokens. The FHIR
                        system's limits.requestsPerSecond is N too. Fetch = from adding the MRNs to every instance terminal
                        (includes the pipeline's start: events, sync debounce, first claims).

                        | what | value |
                        | --- | --- |
                        | instances completed / failed | %d / %d (protected %d) |
                        | fetch duration | %.1f s |
                        | /fhir requests | %d |
                        | measured requests/s (requests / fetch duration) | %.1f (N = %d) |
                        | peak requests within one sliding second | %d (the shared bucket grants at most N + N/5 = %d a second) |
                        | answered 429 by the rate limit (throttled) | %d (%.2f %% of requests) |
                        | first of them seen (polled every 250 ms) | %s |
                        | transient errors injected (503/500/429; about a third of them 429) | %d (%.1f %% of requests) |
                        | access tokens issued | %d |
                        | requests answered 401 (stale token) | %d |
                        | whole snapshot (setup to last ZIP byte) | %.1f s |
                        """,
                MRNS, MAPPINGS.size(), MRNS * MAPPINGS.size(), WORKERS, MAX_CONCURRENCY, REQUESTS_PER_SECOND,
                TRANSIENT_ERROR_RATE * 100, FAULT_SEED, TOKEN_LIFETIME_SECONDS,
                result.instancesByStatus().get("completed"), result.instancesByStatus().get("failed"),
                result.protectedRecords(), seconds, requests, requests / seconds, REQUESTS_PER_SECOND,
                after.peakRequestsPerSecond(), REQUESTS_PER_SECOND * 6 / 5, throttled, percent(throttled, requests),
                watch.firstThrottled == null
                        ? "none"
                        : String.format("%.1f s into the fetch",
                                watch.firstThrottled.toMillis() / 1000.0),
                transientErrors, percent(transientErrors, requests), after.tokensIssued() - before.tokensIssued(),
                after.unauthorized() - before.unauthorized(), result.elapsed().toMillis() / 1000.0);
        Figures.write("ehr-stress-figures.md", text);
    }

    /** When the sandbox's {@code throttled} counter first moved during the fetch. */
    private static final class Watch {

        private final Instant started;
        private final long throttledBefore;
        private volatile Duration firstThrottled;

        Watch(Instant started, long throttledBefore) {
            this.started = started;
            this.throttledBefore = throttledBefore;
        }

        void look(SandboxStats stats) {
            if (firstThrottled == null && stats.throttled() > throttledBefore) {
                firstThrottled = Duration.between(started, Instant.now());
            }
        }
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

}
