package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ca.uhn.fhir.context.FhirContext;

class PatientSearchTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();

    @Test
    void identifierSearchUnderMrnSystemResolvesTheMrnToItsPatient() {
        Bundle bundle = RUNNING.client().search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|MRN000007");

        assertThat(bundle.getTotal()).isEqualTo(1);
        assertThat(SandboxClient.matchIds(List.of(bundle))).containsExactly("Patient/p007");
        assertThat(RUNNING.sandbox().cohort().groundTruth().patient("MRN000007").patientId()).isEqualTo("p007");
    }

    @Test
    void enterpriseIdValueUnderMrnSystemResolvesNothing() {
        Patient patient = RUNNING.client().read("Patient/p007", Patient.class);
        String enterpriseId = patient.getIdentifier().stream()
                .filter(identifier -> SandboxCohort.ENTERPRISE_ID_SYSTEM.equals(identifier.getSystem()))
                .findFirst().orElseThrow().getValue();

        Bundle underMrnSystem = RUNNING.client()
                .search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|" + enterpriseId);
        Bundle underItsOwnSystem = RUNNING.client().search(
                "Patient?identifier=" + SandboxCohort.ENTERPRISE_ID_SYSTEM + "|" + enterpriseId);

        assertThat(enterpriseId).isNotEqualTo("MRN000007");
        assertThat(underMrnSystem.getTotal()).isZero();
        assertThat(SandboxClient.matchIds(List.of(underMrnSystem))).isEmpty();
        assertThat(SandboxClient.matchIds(List.of(underItsOwnSystem))).containsExactly("Patient/p007");
    }

    @Test
    void identifierValueWithoutSystemMatchesOnTheValue() {
        Bundle bundle = RUNNING.client().search("Patient?identifier=MRN000012");

        assertThat(SandboxClient.matchIds(List.of(bundle))).containsExactly("Patient/p012");
    }

    @Test
    void unknownMrnResolvesNothing() {
        String unknownMrn = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> !truth.exists()).findFirst().orElseThrow().mrn();

        Bundle bundle = RUNNING.client().search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|" + unknownMrn);

        assertThat(bundle.getTotal()).isZero();
    }

    @Test
    void searchByIdAndReadReturnThePatientAndItsData() {
        Bundle byId = RUNNING.client().search("Patient?_id=p012");
        GroundTruth.PatientTruth withLabs = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> !truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).isEmpty())
                .findFirst().orElseThrow();

        Observation lab = RUNNING.client().read(withLabs.resourceIdsBySearch().get(LABORATORY).get(0),
                Observation.class);

        assertThat(SandboxClient.matchIds(List.of(byId))).containsExactly("Patient/p012");
        assertThat(lab.getSubject().getReference()).isEqualTo("Patient/" + withLabs.patientId());
        assertThat(lab.getCategoryFirstRep().getCodingFirstRep().getSystem())
                .isEqualTo("http://terminology.hl7.org/CodeSystem/observation-category");
        assertThat(lab.hasEffectiveDateTimeType()).isTrue();
    }

    @Test
    void metadataServesACapabilityStatement() {
        var response = RUNNING.client().get("metadata");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"resourceType\":\"CapabilityStatement\"");
    }
}
