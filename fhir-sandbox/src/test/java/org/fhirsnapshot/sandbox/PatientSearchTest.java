package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ca.uhn.fhir.context.FhirContext;

class PatientSearchTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static FhirSandbox sandbox;
    private static SandboxClient client;

    @BeforeAll
    static void startSandbox() {
        sandbox = FhirSandbox.start(0);
        client = new SandboxClient(FHIR, sandbox.baseUrl());
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void identifierSearchUnderMrnSystemResolvesTheMrnToItsPatient() {
        Bundle bundle = client.search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|MRN000007");

        assertThat(bundle.getTotal()).isEqualTo(1);
        assertThat(SandboxClient.matchIds(List.of(bundle))).containsExactly("Patient/p007");
        assertThat(sandbox.cohort().groundTruth().patient("MRN000007").patientId()).isEqualTo("p007");
    }

    @Test
    void enterpriseIdValueUnderMrnSystemResolvesNothing() {
        Patient patient = client.read("Patient/p007", Patient.class);
        String enterpriseId = patient.getIdentifier().stream()
                .filter(identifier -> SandboxCohort.ENTERPRISE_ID_SYSTEM.equals(identifier.getSystem()))
                .findFirst().orElseThrow().getValue();

        Bundle underMrnSystem = client.search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|" + enterpriseId);
        Bundle underItsOwnSystem = client.search(
                "Patient?identifier=" + SandboxCohort.ENTERPRISE_ID_SYSTEM + "|" + enterpriseId);

        assertThat(enterpriseId).isNotEqualTo("MRN000007");
        assertThat(underMrnSystem.getTotal()).isZero();
        assertThat(SandboxClient.matchIds(List.of(underMrnSystem))).isEmpty();
        assertThat(SandboxClient.matchIds(List.of(underItsOwnSystem))).containsExactly("Patient/p007");
    }

    @Test
    void identifierValueWithoutSystemMatchesOnTheValue() {
        Bundle bundle = client.search("Patient?identifier=MRN000012");

        assertThat(SandboxClient.matchIds(List.of(bundle))).containsExactly("Patient/p012");
    }

    @Test
    void unknownMrnResolvesNothing() {
        String unknownMrn = sandbox.cohort().groundTruth().patients().stream()
                .filter(truth -> !truth.exists()).findFirst().orElseThrow().mrn();

        Bundle bundle = client.search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|" + unknownMrn);

        assertThat(bundle.getTotal()).isZero();
    }

    @Test
    void searchByIdAndReadReturnThePatientAndItsData() {
        Bundle byId = client.search("Patient?_id=p012");
        GroundTruth.PatientTruth withLabs = sandbox.cohort().groundTruth().patients().stream()
                .filter(truth -> !truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).isEmpty())
                .findFirst().orElseThrow();

        Observation lab = client.read(withLabs.resourceIdsBySearch().get(LABORATORY).get(0), Observation.class);

        assertThat(SandboxClient.matchIds(List.of(byId))).containsExactly("Patient/p012");
        assertThat(lab.getSubject().getReference()).isEqualTo("Patient/" + withLabs.patientId());
        assertThat(lab.getCategoryFirstRep().getCodingFirstRep().getSystem())
                .isEqualTo("http://terminology.hl7.org/CodeSystem/observation-category");
        assertThat(lab.hasEffectiveDateTimeType()).isTrue();
    }

    @Test
    void metadataServesACapabilityStatement() {
        var response = client.get("metadata");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"resourceType\":\"CapabilityStatement\"");
    }
}
