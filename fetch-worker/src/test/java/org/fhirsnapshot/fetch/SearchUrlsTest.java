package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SearchUrlsTest {

    private static final String BASE = "https://ehr.example.org/fhir/";

    @Test
    void patientSearchEncodesSystemAndMrnAsOneToken() {
        assertThat(SearchUrls.patientByIdentifier(BASE, "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14", "MRN 7&x"))
                .isEqualTo("https://ehr.example.org/fhir/Patient?identifier="
                        + "urn%3Aoid%3A1.2.840.114350.1.13.0.1.7.5.737384.14%7CMRN%207%26x");
    }

    @Test
    void searchAddsPatientAndPageSize() {
        assertThat(SearchUrls.search(BASE, "Observation?category=laboratory", "p007", 100))
                .isEqualTo("https://ehr.example.org/fhir/Observation?category=laboratory&patient=p007&_count=100");
        assertThat(SearchUrls.search(BASE, "MedicationRequest", "p007", 50))
                .isEqualTo("https://ehr.example.org/fhir/MedicationRequest?patient=p007&_count=50");
    }

    @Test
    void patientSearchUsesId() {
        assertThat(SearchUrls.search(BASE, "Patient", "p007", 100))
                .isEqualTo("https://ehr.example.org/fhir/Patient?_id=p007&_count=100");
    }

    @Test
    void keepsTheCountOfTheQuery() {
        assertThat(SearchUrls.search(BASE, "Observation?_count=10&category=vital-signs", "p1", 100))
                .isEqualTo("https://ehr.example.org/fhir/Observation?_count=10&category=vital-signs&patient=p1");
    }

    @Test
    void escapesOnlyWhatAQueryMayNotContain() {
        assertThat(SearchUrls.search(BASE, "Observation?code=http://loinc.org|2345-7&date=ge2024-01-01&note=a%20b c",
                "p1", 0))
                .isEqualTo("https://ehr.example.org/fhir/Observation?code=http://loinc.org%7C2345-7"
                        + "&date=ge2024-01-01&note=a%20b%20c&patient=p1");
    }

    @Test
    void refusesAQueryWithoutResourceType() {
        assertThatThrownBy(() -> SearchUrls.search(BASE, "?category=x", "p1", 100))
                .isInstanceOfSatisfying(FetchFailure.class,
                        failure -> assertThat(failure.errorClass()).isEqualTo(ErrorClass.INVALID_SPEC));
        assertThatThrownBy(() -> SearchUrls.search(BASE, "../x", "p1", 100)).isInstanceOf(FetchFailure.class);
    }
}
