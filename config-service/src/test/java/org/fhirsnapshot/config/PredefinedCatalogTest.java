package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PredefinedCatalogTest {

    private static final Set<String> R4_TYPES = FhirContext.forR4Cached().getResourceTypes();

    @Test
    void catalogHoldsExactlyTheDocumentedKeysAndSearchesInOrder() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("demographics", "Patient");
        expected.put("vital-signs", "Observation?category=vital-signs");
        expected.put("laboratory", "Observation?category=laboratory");
        expected.put("social-history", "Observation?category=social-history");
        expected.put("core-characteristics", "Observation?category=core-characteristics");
        expected.put("medications", "MedicationRequest");
        expected.put("allergies", "AllergyIntolerance");
        expected.put("problem-list", "Condition?category=problem-list-item");
        expected.put("encounter-diagnosis", "Condition?category=encounter-diagnosis");
        expected.put("medical-history", "Condition?category=medical-history");
        expected.put("reason-for-visit", "Condition?category=reason-for-visit");
        expected.put("infection", "Condition?category=infection");
        expected.put("genomics", "Condition?category=genomics");
        expected.put("dental-finding", "Condition?category=dental-finding");
        expected.put("encounters", "Encounter");
        expected.put("immunizations", "Immunization");
        expected.put("procedures", "Procedure");
        expected.put("coverage", "Coverage");
        expected.put("devices", "Device");
        expected.put("appointments", "Appointment?service-category=appointment");
        expected.put("scheduled-surgeries", "Appointment?service-category=surgery");
        expected.put("clinical-notes", "DocumentReference?category=clinical-note");
        expected.put("adverse-events", "AdverseEvent?study={study}");

        Map<String, String> actual = new LinkedHashMap<>();
        PredefinedCatalog.r4().entries().forEach(entry -> actual.put(entry.key(), entry.search()));

        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    @Test
    void everySearchNamesAnR4ResourceTypeAndNeverThePatient() {
        for (PredefinedCatalog.Entry entry : PredefinedCatalog.r4().entries()) {
            assertThat(R4_TYPES).as(entry.key()).contains(entry.resourceType());
            assertThat(entry.search()).as(entry.key()).doesNotContain("patient", "subject", "_id");
            assertThat(entry.name()).as(entry.key()).isNotBlank();
        }
    }

    @Test
    void onlyAdverseEventsTakesAParameter() {
        assertThat(PredefinedCatalog.r4().entries()).filteredOn(entry -> !entry.parameters().isEmpty())
                .extracting(PredefinedCatalog.Entry::key).containsExactly("adverse-events");
        assertThat(PredefinedCatalog.r4().find("adverse-events").orElseThrow().parameters()).containsExactly("study");
    }

    @Test
    void findIsExactAndNullSafe() {
        assertThat(PredefinedCatalog.r4().find("vital-signs")).isPresent();
        assertThat(PredefinedCatalog.r4().find("Vital-Signs")).isEmpty();
        assertThat(PredefinedCatalog.r4().find("nope")).isEmpty();
        assertThat(PredefinedCatalog.r4().find(null)).isEmpty();
    }

    @Test
    void keysAreFileNameSafe() {
        assertThat(PredefinedCatalog.r4().keys()).allMatch(key -> key.matches("[a-z0-9-]{1,64}"));
    }
}
