package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ca.uhn.fhir.context.FhirContext;

/** {@link SandboxCohort#demo(int)}: the demo's pattern at another size, and a sandbox serving it over HTTP. */
class LargerCohortTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final int SIZE = 300;

    private static SandboxCohort cohort;
    private static FhirSandbox sandbox;
    private static SandboxClient client;

    @BeforeAll
    static void start() {
        cohort = SandboxCohort.demo(SIZE);
        sandbox = FhirSandbox.start(0, cohort);
        client = new SandboxClient(FhirContext.forR4Cached(), sandbox.baseUrl());
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void sixtyMrnsAreExactlyTheDemoCohort() {
        SandboxCohort sixty = SandboxCohort.demo(60);
        SandboxCohort demo = SandboxCohort.demo();

        assertThat(sixty.demoMrns()).isEqualTo(demo.demoMrns());
        assertThat(sixty.groundTruth()).isEqualTo(demo.groundTruth());
    }

    @Test
    void largerCohortStartsWithTheDemoAndIsTheSameOnEveryBuild() {
        assertThat(cohort.demoMrns()).hasSize(SIZE).doesNotHaveDuplicates()
                .startsWith(SandboxCohort.demo().demoMrns().toArray(String[]::new))
                .endsWith("MRN000300");
        assertThat(cohort.groundTruth().patients().subList(0, 60))
                .isEqualTo(SandboxCohort.demo().groundTruth().patients());
        assertThat(SandboxCohort.demo(SIZE).groundTruth()).isEqualTo(cohort.groundTruth());
    }

    @Test
    void everySixtyMrnsRepeatTheUnknownRestrictedAndEmptyPatientsButNotTheHeavyCharts() {
        List<PatientTruth> truths = cohort.groundTruth().patients();

        assertThat(truths).filteredOn(truth -> !truth.exists()).extracting(PatientTruth::mrn).hasSize(20)
                .contains("MRN000014", "MRN000074", "MRN000299");
        assertThat(truths).filteredOn(PatientTruth::restricted).extracting(PatientTruth::patientId).hasSize(15)
                .contains("p005", "p065", "p287");
        assertThat(cohort.patients()).hasSize(280);
        assertThat(truths).filteredOn(truth -> truth.exists() && !truth.restricted()
                && truth.resourceIdsBySearch().values().stream().allMatch(ids -> ids.size() <= 1))
                .extracting(PatientTruth::patientId).contains("p010", "p070", "p250");
        assertThat(truths).filteredOn(truth -> truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of())
                .size() == 2_500).extracting(PatientTruth::patientId).containsExactly("p003", "p031", "p052");
        assertThat(cohort.groundTruth().expectedIds("MRN000063", LABORATORY)).hasSizeLessThanOrEqualTo(5);
    }

    @Test
    void sandboxServesTheLargerCohortAsItsGroundTruthSays() {
        PatientTruth visible = cohort.groundTruth().patient("MRN000271");
        assertThat(visible.exists()).isTrue();
        assertThat(visible.restricted()).isFalse();

        Bundle byMrn = client.search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM + "|MRN000271");
        List<Bundle> labs = client.searchAllPages("Observation?patient=" + visible.patientId()
                + "&category=laboratory");

        assertThat(SandboxClient.matchIds(List.of(byMrn))).containsExactly("Patient/" + visible.patientId());
        assertThat(SandboxClient.matchIds(labs)).containsExactlyElementsOf(visible.resourceIdsBySearch()
                .get(LABORATORY));
        assertThat(SandboxClient.matchIds(List.of(client.search("Patient?identifier=" + SandboxCohort.MRN_SYSTEM
                + "|MRN000074")))).isEmpty();
        assertThat(client.get("Observation?patient=p083&category=laboratory").statusCode()).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1_000_000})
    void sizeOutsideOneTo999999IsRejected(int size) {
        assertThatThrownBy(() -> SandboxCohort.demo(size)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("999999");
    }

    @Test
    void smallerCohortIsTheDemosFirstMrns() {
        SandboxCohort seven = SandboxCohort.demo(7);

        assertThat(seven.demoMrns()).containsExactlyElementsOf(SandboxCohort.demo().demoMrns().subList(0, 7));
        assertThat(seven.groundTruth().patients())
                .isEqualTo(SandboxCohort.demo().groundTruth().patients().subList(0, 7));
    }
}
