package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.net.http.HttpResponse;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ca.uhn.fhir.context.FhirContext;

class BreakTheGlassTest {

    private static final String EPIC_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";
    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();
    private static GroundTruth.PatientTruth restricted;

    @BeforeAll
    static void findPatients() {
        restricted = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(GroundTruth.PatientTruth::restricted).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Observation?patient=%s&category=laboratory", "Condition?subject=Patient/%s",
            "MedicationRequest?patient=%s", "Coverage?patient=%s"})
    void restrictedPatientsDataSearchAnswers403WithBreakTheGlassOutcome(String search) {
        HttpResponse<String> response = RUNNING.client().get(search.formatted(restricted.patientId()));

        assertThat(response.statusCode()).isEqualTo(403);
        OperationOutcomeIssueComponent issue = RUNNING.client().parse(response.body(), OperationOutcome.class)
                .getIssueFirstRep();
        assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.ERROR);
        assertThat(issue.getCode()).isEqualTo(IssueType.SUPPRESSED);
        assertThat(issue.getDetails().getCoding()).extracting(Coding::getSystem, Coding::getCode)
                .containsExactly(tuple(EPIC_SYSTEM, "4130"),
                        tuple("http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG"));
        assertThat(issue.getDetails().getCodingFirstRep().getDisplay()).isEqualTo(
                "Break-the-Glass security does not authorize you to access the selected patient's chart");
    }

    @Test
    void readOfARestrictedPatientsResourceAnswers403() {
        String observationId = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(GroundTruth.PatientTruth::restricted)
                .flatMap(truth -> RUNNING.sandbox().cohort().chart(truth.patientId(), "Observation").stream())
                .findFirst().orElseThrow()
                .getIdElement().toUnqualifiedVersionless().getValue();

        HttpResponse<String> response = RUNNING.client().get(observationId);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(RUNNING.client().parse(response.body(), OperationOutcome.class).getIssueFirstRep().getCode())
                .isEqualTo(IssueType.SUPPRESSED);
    }

    @Test
    void restrictedPatientIsFoundByIdentifierAndById() {
        Bundle byIdentifier = RUNNING.client().search(
                "Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|" + restricted.mrn());
        Bundle byId = RUNNING.client().search("Patient?_id=" + restricted.patientId());

        String patient = "Patient/" + restricted.patientId();
        assertThat(SandboxClient.matchIds(List.of(byIdentifier))).containsExactly(patient);
        assertThat(SandboxClient.matchIds(List.of(byId))).containsExactly(patient);
        assertThat(restricted.resourceIdsBySearch()).containsOnlyKeys("Patient");
    }

    @Test
    void unrestrictedPatientsDataSearchSucceeds() {
        GroundTruth.PatientTruth open = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> truth.exists() && !truth.restricted()).findFirst().orElseThrow();

        HttpResponse<String> response = RUNNING.client().get("Observation?patient=" + open.patientId());

        assertThat(response.statusCode()).isEqualTo(200);
    }
}
