package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ca.uhn.fhir.context.FhirContext;

class PagingTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();

    @Test
    void heavyLaboratorySearchSpansTwentyFivePagesOnTheServersOwnOriginAndYieldsEachTruthIdOnce() {
        GroundTruth.PatientTruth heavy = heavyLabPatient();

        List<Bundle> pages = RUNNING.client().searchAllPages(
                "Observation?patient=" + heavy.patientId() + "&category=laboratory");

        assertThat(pages).hasSize(25);
        assertThat(pages).allSatisfy(page -> assertThat(page.getTotal()).isEqualTo(2_500));
        assertThat(pages.subList(0, 24)).allSatisfy(page -> assertThat(page.getLink(Bundle.LINK_NEXT).getUrl())
                .startsWith(RUNNING.sandbox().baseUrl()));
        List<String> ids = SandboxClient.matchIds(pages);
        assertThat(ids).hasSize(2_500).doesNotHaveDuplicates()
                .containsExactlyElementsOf(heavy.resourceIdsBySearch().get(LABORATORY));
    }

    @Test
    void countParameterSetsThePageSize() {
        GroundTruth.PatientTruth heavy = heavyLabPatient();

        List<Bundle> pages = RUNNING.client().searchAllPages(
                "Observation?patient=" + heavy.patientId() + "&category=laboratory&_count=1000");

        assertThat(pages).extracting(page -> page.getEntry().size()).containsExactly(1_000, 1_000, 500);
        assertThat(SandboxClient.matchIds(pages)).containsExactlyElementsOf(
                heavy.resourceIdsBySearch().get(LABORATORY));
    }

    private static GroundTruth.PatientTruth heavyLabPatient() {
        return RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size() == 2_500)
                .findFirst().orElseThrow();
    }
}
