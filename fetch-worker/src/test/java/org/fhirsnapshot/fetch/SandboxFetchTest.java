package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fetching classes against the real FHIR sandbox, compared with its ground truth. */
class SandboxFetchTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static FhirSandbox sandbox;
    private static GroundTruth truth;
    private static FetchWorkerParts worker;
    private static long nextInstanceId = 1;

    @BeforeAll
    static void start() {
        sandbox = FhirSandbox.start(0);
        truth = sandbox.cohort().groundTruth();
        worker = new FetchWorkerParts();
    }

    @AfterAll
    static void stop() {
        worker.close();
        sandbox.close();
    }

    @Test
    void fetchesANormalPatientsLabsWithEveryTruthIdInOrder() throws IOException {
        PatientTruth patient = patientWith(truth -> truth.exists() && !truth.restricted()
                && !truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).isEmpty()
                && truth.resourceIdsBySearch().get(LABORATORY).size() < 100);

        FetchResult result = fetch(claim(patient.mrn(), null, "Observation", LABORATORY), sandboxSystem(100));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(result.fhirPatientId()).isEqualTo(patient.patientId());
        assertThat(result.claimToken()).isEqualTo("token-" + result.instanceId());
        JsonNode bundle = payload(result);
        assertThat(idsOf(bundle)).containsExactlyElementsOf(patient.resourceIdsBySearch().get(LABORATORY));
        assertThat(bundle.path("total").asInt()).isEqualTo(patient.resourceIdsBySearch().get(LABORATORY).size());
        assertThat(bundle.path("link").get(0).path("url").asText())
                .isEqualTo(sandbox.baseUrl() + "/Observation?category=laboratory&patient=" + patient.patientId()
                        + "&_count=100");
        assertThat(result.pagination().pages()).isEqualTo(1);
        assertThat(result.pagination().resources()).isEqualTo(patient.resourceIdsBySearch().get(LABORATORY).size());
        assertThat(result.pagination().outcomeEntries()).isZero();
        assertThat(result.pagination().bytes()).isPositive();
        assertThat(worker.registry.get("fhir.snapshot.fetch.results").tag("outcome", "completed")
                .tag("error_class", "none")
                .counter().count()).isPositive();
    }

    @Test
    void mergesTwentyFivePagesOfAHeavyPatientWithEveryLabOnce() throws IOException {
        PatientTruth heavy = patientWith(truth -> truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of())
                .size() == 2_500);

        FetchResult result = fetch(claim(heavy.mrn(), null, "Observation", LABORATORY), sandboxSystem(100));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(result.pagination().pages()).isEqualTo(25);
        assertThat(result.pagination().resources()).isEqualTo(2_500);
        JsonNode bundle = payload(result);
        assertThat(bundle.path("total").asInt()).isEqualTo(2_500);
        assertThat(idsOf(bundle)).hasSize(2_500).doesNotHaveDuplicates()
                .containsExactlyElementsOf(heavy.resourceIdsBySearch().get(LABORATORY));
    }

    @Test
    void failsAnUnknownMrnAsNotFoundWithoutNamingIt() {
        PatientTruth unknown = patientWith(truth -> !truth.exists());

        FetchResult result = fetch(claim(unknown.mrn(), null, "Observation", LABORATORY), sandboxSystem(100));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.failed);
        assertThat(result.errorClass()).isEqualTo("not_found");
        assertThat(result.errorMessage())
                .isEqualTo("no patient with this MRN under the configured identifier system")
                .doesNotContain(unknown.mrn());
        assertThat(result.protectedRecord()).isFalse();
        assertThat(result.payloadRef()).isNull();
    }

    @Test
    void failsARestrictedPatientsLabsAsProtected() {
        PatientTruth restricted = patientWith(PatientTruth::restricted);

        FetchResult result = fetch(claim(restricted.mrn(), null, "Observation", LABORATORY), sandboxSystem(100));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.failed);
        assertThat(result.errorClass()).isEqualTo("protected");
        assertThat(result.protectedRecord()).isTrue();
        assertThat(result.errorMessage())
                .isEqualTo("the EHR withheld this patient's record (break-the-glass, Epic 4130)");
        assertThat(result.fhirPatientId()).isEqualTo(restricted.patientId());
    }

    @Test
    void completesAnEmptySearchWithZeroResourcesAndKeepsTheOutcomeEntry() throws IOException {
        PatientTruth patient = patientWith(truth -> truth.exists() && !truth.restricted());
        assertThat(truth.expectedIds(patient.mrn(), "Coverage")).isEmpty();

        FetchResult result = fetch(claim(patient.mrn(), null, "Coverage", "Coverage"), sandboxSystem(100));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(result.pagination().resources()).isZero();
        assertThat(result.pagination().outcomeEntries()).isEqualTo(1);
        assertThat(result.warnings()).isEmpty();
        JsonNode bundle = payload(result);
        assertThat(bundle.path("total").asInt()).isZero();
        assertThat(bundle.path("entry")).hasSize(1);
        JsonNode outcome = bundle.path("entry").get(0);
        assertThat(outcome.path("search").path("mode").asText()).isEqualTo("outcome");
        assertThat(outcome.path("resource").path("issue").get(0).path("details").path("coding").get(0)
                .path("code").asText()).isEqualTo("4101");
    }

    @Test
    void fetchesDemographicsByIdAndReusesAKnownPatientIdWithoutSearchingTheMrn() throws IOException {
        PatientTruth patient = patientWith(truth -> truth.exists() && !truth.restricted());

        FetchResult result = fetch(claim("an MRN the sandbox does not know", patient.patientId(), "Patient",
                "Patient"), sandboxSystem(100));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(idsOf(payload(result))).containsExactly("Patient/" + patient.patientId());
    }

    @Test
    void usesTheMrnAsPatientIdWhenTheSystemHasNoIdentifierSystem() throws IOException {
        PatientTruth patient = patientWith(truth -> truth.exists() && !truth.restricted());
        FhirSystemSettings withoutIdentifierSystem = new FhirSystemSettings(2, "sandbox by id", sandbox.baseUrl(),
                null, new AuthSettings("none", null, null, null, null, null), new Limits(4, 0, 100));

        FetchResult result = fetch(claim(patient.patientId(), null, "Patient", "Patient"), withoutIdentifierSystem);

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(idsOf(payload(result))).containsExactly("Patient/" + patient.patientId());
    }

    private static FetchResult fetch(ClaimedInstance claim, FhirSystemSettings system) {
        return worker.instances.fetch(claim, system).await().atMost(WAIT);
    }

    private static FhirSystemSettings sandboxSystem(int pageSize) {
        return new FhirSystemSettings(1, "sandbox", sandbox.baseUrl(), SandboxCohort.MRN_SYSTEM,
                new AuthSettings("none", null, null, null, null, null), new Limits(4, 0, pageSize));
    }

    private static synchronized ClaimedInstance claim(String mrn, String fhirPatientId, String resourceType,
            String query) {
        long id = nextInstanceId++;
        return new ClaimedInstance(id, "token-" + id, "sandbox-test", 1, id, mrn, fhirPatientId, resourceType, query,
                1);
    }

    private static PatientTruth patientWith(java.util.function.Predicate<PatientTruth> condition) {
        return truth.patients().stream().filter(condition).findFirst().orElseThrow();
    }

    private static JsonNode payload(FetchResult result) throws IOException {
        assertThat(result.payloadRef()).startsWith("sha256:");
        try (InputStream in = worker.store.open(result.payloadRef())) {
            byte[] bytes = in.readAllBytes();
            assertThat((long) bytes.length).isEqualTo(result.pagination().bytes());
            return FhirJson.parse(bytes).orElseThrow();
        }
    }

    /** {@code Type/id} of the clinical entries, in order. */
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
