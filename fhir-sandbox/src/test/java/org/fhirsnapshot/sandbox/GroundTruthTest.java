package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.assertj.core.api.SoftAssertions;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ca.uhn.fhir.context.FhirContext;

/** The ground truth is what the server really answers, for every patient and every catalog search. */
class GroundTruthTest {

    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();

    @Test
    void everySearchOfEveryVisiblePatientReturnsExactlyItsTruthIds() {
        SoftAssertions softly = new SoftAssertions();
        int searches = 0;
        for (GroundTruth.PatientTruth truth : RUNNING.sandbox().cohort().groundTruth().patients()) {
            if (!truth.exists() || truth.restricted()) {
                continue;
            }
            for (Map.Entry<String, List<String>> expected : truth.resourceIdsBySearch().entrySet()) {
                List<Bundle> pages = RUNNING.client().searchAllPages(withPatient(expected.getKey(), truth.patientId()));
                softly.assertThat(SandboxClient.matchIds(pages))
                        .as("%s for %s", expected.getKey(), truth.mrn())
                        .containsExactlyElementsOf(expected.getValue());
                softly.assertThat(pages.get(0).getTotal()).as("total of %s for %s", expected.getKey(), truth.mrn())
                        .isEqualTo(expected.getValue().size());
                searches++;
            }
        }
        softly.assertAll();
        assertThat(searches).isEqualTo(53 * 11);
    }

    @Test
    void expectedIdsAreEmptyForSearchesThatFindNothing() {
        GroundTruth truth = RUNNING.sandbox().cohort().groundTruth();
        String unknownMrn = truth.patients().stream().filter(patient -> !patient.exists()).findFirst()
                .orElseThrow().mrn();

        assertThat(truth.expectedIds("MRN000001", "Coverage")).isEmpty();
        assertThat(truth.expectedIds(unknownMrn, "Patient")).isEmpty();
        assertThat(truth.expectedIds("MRN000001", "Patient")).containsExactly("Patient/p001");
    }

    /** The catalog search with the patient parameter the fetch worker adds ({@code _id} for Patient). */
    private static String withPatient(String search, String patientId) {
        if (search.equals("Patient")) {
            return "Patient?_id=" + patientId + "&_count=1000";
        }
        String separator = search.contains("?") ? "&" : "?";
        return search + separator + "patient=" + patientId + "&_count=1000";
    }
}
