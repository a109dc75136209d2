package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
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
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fetching classes against the real FHIR sandbox made to misbehave ({@link FhirSandbox#faults()}): transient
 * errors, rate limits, latency past the read timeout, and Epic's OperationOutcome codes.
 */
class SandboxMisbehaviourFetchTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicLong IDS = new AtomicLong(1);

    private static FhirSandbox sandbox;
    private static GroundTruth truth;
    private static FetchWorkerParts worker;

    @BeforeAll
    static void start() {
        sandbox = FhirSandbox.start(0);
        truth = sandbox.cohort().groundTruth();
        worker = new FetchWorkerParts(Map.of(
                "fhir-snapshot.fetch.retry.initial-backoff", "10ms",
                "fhir-snapshot.fetch.retry.max-backoff", "5s",
                "fhir-snapshot.fetch.read-timeout", "400ms"));
    }

    @AfterAll
    static void stop() {
        worker.close();
        sandbox.close();
    }

    @AfterEach
    void resetFaults() {
        sandbox.faults().reset();
    }

    @Test
    void completesEverySearchThroughSeededTransientErrorsWithTheTruthsIds() throws IOException {
        List<PatientTruth> patients = truth.patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).limit(12).toList();
        FhirSystemSettings system = system();
        SandboxStats before = sandbox.stats();
        sandbox.faults().set(SandboxFaults.none().withTransientErrorRate(0.2).withSeed(11));

        List<FetchResult> results = new ArrayList<>();
        for (PatientTruth patient : patients) {
            results.add(fetch(claim(patient.mrn(), null, "Observation", LABORATORY), system));
        }

        SandboxStats after = sandbox.stats();
        assertThat(after.transientErrors() - before.transientErrors()).isPositive();
        for (int i = 0; i < patients.size(); i++) {
            FetchResult result = results.get(i);
            assertThat(result.outcome()).as("%s %s", result.errorClass(), result.errorMessage())
                    .isEqualTo(FetchOutcome.completed);
            assertThat(idsOf(payload(result))).containsExactlyElementsOf(
                    patients.get(i).resourceIdsBySearch().getOrDefault(LABORATORY, List.of()));
        }
    }

    @Test
    void failsAsTransientOnceTheRetriesRunOutAfterFourTries() {
        PatientTruth patient = openPatient();
        SandboxStats before = sandbox.stats();
        sandbox.faults().set(SandboxFaults.none().withTransientErrorRate(1.0).withSeed(5));

        FetchResult result = fetch(claim(patient.mrn(), patient.patientId(), "Observation", LABORATORY), system());

        assertThat(result.outcome()).isEqualTo(FetchOutcome.failed);
        assertThat(result.errorClass()).isIn("rate_limited", "server_error");
        assertThat(sandbox.stats().requests() - before.requests()).isEqualTo(4);
    }

    @Test
    void retriesASandboxSlowerThanTheReadTimeoutThenFailsAsTimeout() {
        PatientTruth patient = openPatient();
        SandboxStats before = sandbox.stats();
        sandbox.faults().set(SandboxFaults.none().withLatencyMillis(700));

        FetchResult result = fetch(claim(patient.mrn(), patient.patientId(), "Observation", LABORATORY), system());

        assertThat(result.errorClass()).isEqualTo("timeout");
        assertThat(result.errorMessage()).isEqualTo("the EHR did not answer in time");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> sandbox.stats().requests() - before.requests() == 4);
    }

    @Test
    void a429SlowsTheWholeSystemDownSoAConcurrentFetchWaitsInsteadOfBeingThrottledToo() {
        List<PatientTruth> patients = truth.patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).limit(2).toList();
        FhirSystemSettings system = system();
        fetch(claim("warm-up", patients.get(0).patientId(), "Patient", "Patient"), system);
        SandboxStats before = sandbox.stats();
        // The next request (c's) opens a 1 s window of 429 "Retry-After: 2". Through the gate, d cannot be sent
        // before those 2 s: past the window however slow the machine. Without the gate d lands inside it.
        sandbox.faults().set(SandboxFaults.none().withThrottleWindow(2, 1_000));

        var throttledOne = worker.instances.fetch(claim("c", patients.get(0).patientId(), "Patient", "Patient"),
                system).subscribeAsCompletionStage();
        // c met its 429 and the worker closed the system's gate for the Retry-After.
        await().atMost(WAIT).until(() -> sandbox.stats().throttled() - before.throttled() >= 1
                && !worker.coolDown.remaining(system.id()).isZero());
        FetchResult later = fetch(claim("d", patients.get(1).patientId(), "Patient", "Patient"), system);
        FetchResult throttled = throttledOne.join();

        SandboxStats after = sandbox.stats();
        assertThat(after.throttled() - before.throttled()).as("requests answered 429: c's first one only")
                .isEqualTo(1);
        assertThat(throttled.outcome()).as("%s %s", throttled.errorClass(), throttled.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        assertThat(later.outcome()).as("%s %s", later.errorClass(), later.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        // c's 429, c's retry after the gate, d's single request after the gate.
        assertThat(after.requests() - before.requests()).isEqualTo(3);
        assertThat(after.transientErrors()).isEqualTo(before.transientErrors());
    }

    @ParameterizedTest
    @CsvSource({"4119, Epic 4119: more data may exist", "4122, Epic 4122: unknown search parameter ignored"})
    void completesWithTheEpicWarningKept(String code, String warning) throws IOException {
        PatientTruth patient = openPatient();
        sandbox.faults().set(SandboxFaults.none().withEpicCode(patient.patientId(), code));

        FetchResult result = fetch(claim(patient.mrn(), null, "Observation", LABORATORY), system());

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(result.warnings()).containsExactly(warning);
        assertThat(result.pagination().resources())
                .isEqualTo(patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size());
        assertThat(idsOf(payload(result)))
                .containsExactlyElementsOf(patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()));
    }

    @Test
    void epic4118FailsAsForbiddenNotProtected() {
        PatientTruth patient = openPatient();
        sandbox.faults().set(SandboxFaults.none().withEpicCode(patient.patientId(), "4118"));

        FetchResult result = fetch(claim(patient.mrn(), patient.patientId(), "Observation", LABORATORY), system());

        assertThat(result.errorClass()).isEqualTo("forbidden");
        assertThat(result.protectedRecord()).isFalse();
        assertThat(result.errorMessage()).isEqualTo("the EHR did not authorize this request (Epic 4118)");
    }

    @Test
    void epic4135FailsAsDailyLimitAtOnceWithoutRetrying() {
        PatientTruth patient = openPatient();
        SandboxStats before = sandbox.stats();
        sandbox.faults().set(SandboxFaults.none().withEpicCode(patient.patientId(), "4135"));

        FetchResult result = fetch(claim(patient.mrn(), patient.patientId(), "Observation", LABORATORY), system());

        assertThat(result.errorClass()).isEqualTo("daily_limit");
        assertThat(result.errorMessage())
                .isEqualTo("the EHR's daily request limit was reached (Epic 4135); retry tomorrow");
        assertThat(sandbox.stats().requests() - before.requests()).isEqualTo(1);
    }

    @Test
    void epic4113RestartsTheSearchFromItsFirstPageOnceAndReadsEveryLabOnce() throws IOException {
        PatientTruth heavy = truth.patients().stream()
                .filter(patient -> patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size() == 2_500)
                .findFirst().orElseThrow();
        SandboxStats before = sandbox.stats();
        sandbox.faults().set(SandboxFaults.none().withEpicCode(heavy.patientId(), "4113"));

        FetchResult result = fetch(claim(heavy.mrn(), heavy.patientId(), "Observation", LABORATORY), system());

        assertThat(result.outcome()).as("%s %s", result.errorClass(), result.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        assertThat(result.warnings()).containsExactly(SearchFetcher.RESTARTED_WARNING);
        assertThat(result.pagination().pages()).isEqualTo(25);
        assertThat(idsOf(payload(result))).hasSize(2_500).doesNotHaveDuplicates()
                .containsExactlyElementsOf(heavy.resourceIdsBySearch().get(LABORATORY));
        assertThat(sandbox.stats().searches() - before.searches()).isEqualTo(2);
    }

    private static FetchResult fetch(ClaimedInstance claim, FhirSystemSettings system) {
        return worker.instances.fetch(claim, system).await().atMost(WAIT);
    }

    private static PatientTruth openPatient() {
        return truth.patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()
                        && !patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).isEmpty())
                .findFirst().orElseThrow();
    }

    /** A FHIR system of its own per test: the worker's 429 gate is per system. */
    private static FhirSystemSettings system() {
        return new FhirSystemSettings(IDS.incrementAndGet(), "sandbox", sandbox.baseUrl(), SandboxCohort.MRN_SYSTEM,
                new AuthSettings("none", null, null, null, null, null), new Limits(8, 0, 100));
    }

    private static ClaimedInstance claim(String mrn, String fhirPatientId, String resourceType, String query) {
        long id = IDS.incrementAndGet();
        return new ClaimedInstance(id, "token-" + id, "faults-test", 1, id, mrn, fhirPatientId, resourceType, query,
                1);
    }

    private static JsonNode payload(FetchResult result) throws IOException {
        try (InputStream in = worker.store.open(result.payloadRef())) {
            return FhirJson.parse(in.readAllBytes()).orElseThrow();
        }
    }

    private static List<String> idsOf(JsonNode bundle) {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : bundle.path("entry")) {
            if (!OperationOutcomeClassifier.isOutcomeEntry(entry)) {
                ids.add(entry.path("resource").path("resourceType").asText() + "/"
                        + entry.path("resource").path("id").asText());
            }
        }
        return ids;
    }
}
