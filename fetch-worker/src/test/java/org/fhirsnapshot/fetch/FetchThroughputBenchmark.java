package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.junit.jupiter.api.Test;

/**
 * Not part of the normal test run (its name does not end in Test): requests per second that one worker's fetching
 * classes (FetchLimits, InstanceFetcher, PatientResolver, SearchFetcher, FhirHttpClient, the payload store) reach
 * against the in-JVM sandbox with default limits, at 0 ms and 50 ms added latency; and, with a sandbox rate limit,
 * the rate one and two workers reach and the share of requests answered 429. Writes
 * {@code target/fetch-figures.md}. Run by hand:
 * {@code ./mvnw -q -pl fetch-worker test -Dtest=FetchThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FetchThroughputBenchmark {

    private static final List<String> SEARCHES = List.of("Patient", "Observation?category=laboratory",
            "Observation?category=vital-signs", "Condition?category=problem-list-item", "MedicationRequest");
    private static final AtomicLong IDS = new AtomicLong();

    @Test
    void measuresRequestsPerSecond() throws IOException {
        StringBuilder figures = new StringBuilder("# fetch-worker figures\n\n")
                .append("Measured ").append(Instant.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores (shared), Java ")
                .append(System.getProperty("java.version")).append(". Command: `./mvnw -q -pl fetch-worker test ")
                .append("-Dtest=FetchThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false`.\n\n")
                .append("Default limits: concurrency 8 per worker, maxConcurrency of the system unset (= 8), ")
                .append("_count 100. Work: every existing MRN of the demo cohort × ").append(SEARCHES)
                .append(" (MRN resolved by identifier search each time, restricted patients answer 403).\n\n")
                .append("| scenario | instances | requests | seconds | requests/s | instances/s | 429 answered |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        try (FhirSandbox sandbox = FhirSandbox.start(0)) {
            List<PatientTruth> patients = sandbox.cohort().groundTruth().patients().stream()
                    .filter(PatientTruth::exists).toList();
            try (FetchWorkerParts worker = new FetchWorkerParts()) {
                run(sandbox, List.of(worker), patients, SandboxFaults.none(), "warm-up (not a figure)");
                figures.append(run(sandbox, List.of(worker), patients, SandboxFaults.none(),
                        "1 worker, 0 ms added latency"));
                figures.append(run(sandbox, List.of(worker), patients, SandboxFaults.none().withLatencyMillis(50),
                        "1 worker, 50 ms added latency"));
                List<PatientTruth> few = patients.subList(0, 20);
                figures.append(run(sandbox, List.of(worker), few, SandboxFaults.none().withRateLimitPerSecond(20),
                        "1 worker, sandbox limit 20 req/s"));
                try (FetchWorkerParts second = new FetchWorkerParts()) {
                    figures.append(run(sandbox, List.of(worker, second), few,
                            SandboxFaults.none().withRateLimitPerSecond(20), "2 workers, sandbox limit 20 req/s"));
                }
            }
        }
        Path out = Path.of("target", "fetch-figures.md");
        Files.writeString(out, figures);
        System.out.println(figures);
    }

    /** Fetches every patient × search, split across the workers, each within its own FetchLimits. */
    private static String run(FhirSandbox sandbox, List<FetchWorkerParts> workers, List<PatientTruth> patients,
            SandboxFaults faults, String scenario) {
        sandbox.faults().set(faults);
        FhirSystemSettings system = new FhirSystemSettings(IDS.incrementAndGet(), "sandbox", sandbox.baseUrl(),
                SandboxCohort.MRN_SYSTEM, new AuthSettings("none", null, null, null, null, null),
                new Limits(0, 0, 0));
        List<FetchLimits> limits = workers.stream().map(worker -> new FetchLimits(worker.config, worker.slots))
                .toList();
        List<Uni<FetchResult>> fetches = new ArrayList<>();
        int n = 0;
        for (PatientTruth patient : patients) {
            for (String search : SEARCHES) {
                int index = n++ % workers.size();
                FetchWorkerParts worker = workers.get(index);
                ClaimedInstance claim = claim(patient.mrn(), search);
                fetches.add(limits.get(index).run(system, () -> worker.instances.fetch(claim, system)));
            }
        }
        SandboxStats before = sandbox.stats();
        long started = System.nanoTime();
        List<FetchResult> results = Uni.join().all(fetches).andFailFast().await().atMost(Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - started) / 1e9;
        SandboxStats after = sandbox.stats();
        sandbox.faults().reset();
        long requests = after.requests() - before.requests();
        long throttled = after.throttled() - before.throttled();
        long unexpected = results.stream().filter(result -> result.outcome() != FetchOutcome.completed
                && !"protected".equals(result.errorClass())).count();
        assertThat(unexpected).as("fetches that failed other than as protected in " + scenario).isZero();
        return "| %s | %d | %d | %.2f | %.0f | %.0f | %d (%.1f %%) |%n".formatted(scenario, results.size(), requests,
                seconds, requests / seconds, results.size() / seconds, throttled,
                requests == 0 ? 0 : 100.0 * throttled / requests);
    }

    private static ClaimedInstance claim(String mrn, String search) {
        long id = IDS.incrementAndGet();
        String type = search.contains("?") ? search.substring(0, search.indexOf('?')) : search;
        return new ClaimedInstance(id, "token-" + id, "benchmark", 1, id, mrn, null, type, search, 1);
    }
}
