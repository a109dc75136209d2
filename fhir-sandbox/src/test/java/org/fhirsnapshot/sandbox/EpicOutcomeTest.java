package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.net.http.HttpResponse;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ca.uhn.fhir.context.FhirContext;

class EpicOutcomeTest {

    private static final String EPIC_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";
    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();

    @ParameterizedTest
    @ValueSource(strings = {
            "MedicationRequest?patient=p010",
            "Observation?patient=p010&category=laboratory",
            "Coverage?patient=p001",
            "Appointment?patient=p001&service-category=appointment",
            "DocumentReference?patient=p001&category=clinical-note",
            "AdverseEvent?patient=p001&study=ResearchStudy/rs-1",
            "Observation?patient=does-not-exist&category=laboratory"})
    void emptySearchHasExactlyOneNoResultsOutcomeEntryAndTotalZero(String search) {
        Bundle bundle = RUNNING.client().search(search);

        assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        assertThat(bundle.getTotal()).isZero();
        assertThat(bundle.getEntry()).singleElement().satisfies(entry -> {
            assertThat(entry.getSearch().getMode()).isEqualTo(SearchEntryMode.OUTCOME);
            OperationOutcomeIssueComponent issue = ((OperationOutcome) entry.getResource()).getIssueFirstRep();
            assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.INFORMATION);
            assertThat(issue.getCode()).isEqualTo(IssueType.INFORMATIONAL);
            assertThat(issue.getDetails().getCoding()).extracting(Coding::getSystem, Coding::getCode)
                    .containsExactly(tuple(EPIC_SYSTEM, "4101"));
            assertThat(issue.getDetails().getText()).isEqualTo("Resource request returns no results.");
        });
    }

    @Test
    void searchWithMatchesCarriesNoOutcomeEntry() {
        Bundle bundle = RUNNING.client().search("Patient?_id=p001");

        assertThat(bundle.getEntry()).extracting(entry -> entry.getSearch().getMode())
                .containsExactly(SearchEntryMode.MATCH);
    }

    @Test
    void pageFetchedThroughPagingLinkWithoutMatchesCarriesTheOutcomeEntry() {
        String heavyPatientId = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> truth.resourceIdsBySearch()
                        .getOrDefault("Observation?category=laboratory", List.of()).size() == 2_500)
                .findFirst().orElseThrow().patientId();
        Bundle first = RUNNING.client()
                .search("Observation?patient=" + heavyPatientId + "&category=laboratory&_count=1000");
        String pastTheEnd = first.getLink(Bundle.LINK_NEXT).getUrl().replace("_getpagesoffset=1000",
                "_getpagesoffset=2500");

        Bundle page = RUNNING.client().search(pastTheEnd);

        assertThat(pastTheEnd).contains("_getpagesoffset=2500");
        assertThat(page.getTotal()).isEqualTo(2_500);
        assertThat(page.getEntry()).extracting(BundleEntryComponent::getSearch)
                .extracting(search -> search.getMode())
                .containsExactly(SearchEntryMode.OUTCOME);
    }

    @Test
    void searchWithoutPatientIsRefusedAsInvalid() {
        HttpResponse<String> response = RUNNING.client().get("Observation?category=laboratory");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(RUNNING.client().parse(response.body(), OperationOutcome.class).getIssueFirstRep().getSeverity())
                .isEqualTo(IssueSeverity.ERROR);
    }
}
