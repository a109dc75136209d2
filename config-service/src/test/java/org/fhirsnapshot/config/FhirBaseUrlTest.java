package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FhirBaseUrlTest {

    @ParameterizedTest
    @CsvSource({
            "https://ehr.example.org/fhir/, https://ehr.example.org/fhir",
            "https://ehr.example.org/fhir///, https://ehr.example.org/fhir",
            "HTTPS://EHR.Example.ORG/FHIR/R4, https://ehr.example.org/FHIR/R4",
            "http://127.0.0.1:8090/fhir, http://127.0.0.1:8090/fhir",
            "https://ehr.example.org/, https://ehr.example.org",
            "https://ehr.example.org, https://ehr.example.org",
            "'  https://ehr.example.org/api/FHIR/R4/  ', https://ehr.example.org/api/FHIR/R4"})
    void baseUrlIsNormalisedWithoutTrailingSlash(String raw, String normalised) {
        assertThat(FhirBaseUrl.normalise(raw, "baseUrl")).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "ehr.example.org/fhir", "/fhir", "ftp://ehr.example.org/fhir",
            "file:///etc/passwd", "https:///fhir", "https://ehr.example.org/fhir?x=1",
            "https://ehr.example.org/fhir#top", "https://user:pw@ehr.example.org/fhir", "https://ehr example.org",
            "https://ehr.example.org/fhir/../admin", "https://ehr.example.org//fhir"})
    void unacceptableBaseUrlIsRejectedNamingTheField(String raw) {
        assertThatThrownBy(() -> FhirBaseUrl.normalise(raw, "baseUrl")).isInstanceOfSatisfying(
                ProblemException.class, e -> assertThat(e.toProblem().errors()).extracting(Problem.FieldError::field)
                        .containsExactly("baseUrl"));
    }
}
