package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

class SandboxCohortTest {

    private static final List<String> CATALOG_SEARCHES = List.of("Patient", "Observation?category=vital-signs",
            "Observation?category=laboratory", "Observation?category=social-history",
            "Condition?category=problem-list-item", "Condition?category=encounter-diagnosis", "MedicationRequest",
            "AllergyIntolerance", "Encounter", "Immunization", "Procedure");

    private final SandboxCohort cohort = SandboxCohort.demo();
    private final GroundTruth truth = cohort.groundTruth();

    @Test
    void demoCohortIsTheSameOnEveryBuild() {
        SandboxCohort again = SandboxCohort.demo();

        assertThat(again.demoMrns()).isEqualTo(cohort.demoMrns());
        assertThat(again.groundTruth()).isEqualTo(truth);
    }

    @Test
    void demoMrnsAreEveryPatientAndFourUnknownMrnsInTheGroundTruthsOrder() {
        assertThat(cohort.demoMrns()).hasSizeGreaterThanOrEqualTo(60).doesNotHaveDuplicates()
                .containsExactlyElementsOf(truth.patients().stream().map(GroundTruth.PatientTruth::mrn).toList());
        assertThat(truth.patients()).filteredOn(patient -> !patient.exists()).hasSize(4)
                .allSatisfy(patient -> {
                    assertThat(patient.patientId()).isNull();
                    assertThat(patient.resourceIdsBySearch()).isEmpty();
                });
        assertThat(cohort.patients()).hasSize(56);
    }

    @Test
    void patientNamesAreEveryGivenAndFamilyNameOfThePatients() {
        List<String> parts = cohort.patients().stream().flatMap(patient -> patient.getName().stream())
                .flatMap(name -> Stream.concat(name.getGiven().stream().map(StringType::getValue),
                        Stream.of(name.getFamily())))
                .toList();

        assertThat(parts).isNotEmpty();
        assertThat(cohort.patientNames()).containsExactlyInAnyOrderElementsOf(new TreeSet<>(parts))
                .contains("Chloe", "Sandbox");
    }

    @Test
    void threePatientsAreRestrictedAndThreeHave2500Labs() {
        assertThat(truth.patients()).filteredOn(GroundTruth.PatientTruth::restricted).hasSize(3)
                .allSatisfy(patient -> assertThat(cohort.isRestricted(patient.patientId())).isTrue());
        assertThat(truth.patients()).filteredOn(patient -> truth.expectedIds(patient.mrn(),
                "Observation?category=laboratory").size() == 2_500).hasSize(3);
    }

    @Test
    void visiblePatientsHaveEveryCatalogSearchWithSmallCountsIncludingZero() {
        List<GroundTruth.PatientTruth> visible = truth.patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).toList();

        assertThat(visible).hasSize(53).allSatisfy(patient -> assertThat(patient.resourceIdsBySearch().keySet())
                .containsExactlyElementsOf(CATALOG_SEARCHES));
        for (String search : CATALOG_SEARCHES.subList(1, CATALOG_SEARCHES.size())) {
            List<Integer> counts = visible.stream()
                    .map(patient -> patient.resourceIdsBySearch().get(search).size())
                    .filter(count -> count != 2_500)
                    .toList();
            assertThat(counts).as(search).contains(0).allSatisfy(count -> assertThat(count).isBetween(0, 5));
            assertThat(counts.stream().distinct().count()).as("distinct counts of " + search).isGreaterThan(2);
        }
    }

    @Test
    void idsNameTheirTypeAndPatient() {
        assertThat(truth.expectedIds("MRN000007", "Observation?category=laboratory"))
                .allSatisfy(id -> assertThat(id).matches("Observation/lab-p007-\\d{4}"));
        assertThat(truth.patient("MRN000007").patientId()).isEqualTo("p007");
    }

    @Test
    void mrnOutsideTheCohortIsRejected() {
        assertThatThrownBy(() -> truth.expectedIds("MRN999999", "Patient"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
