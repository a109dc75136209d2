package org.fhirsnapshot.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the sandbox holds for each MRN of a cohort, and so what a correct snapshot of it contains. Tests compare
 * what a client fetched with this, not with what the server happens to answer.
 *
 * @param patients one entry per MRN, in the order of {@link SandboxCohort#demoMrns()}
 */
public record GroundTruth(List<PatientTruth> patients) {

    public GroundTruth {
        patients = List.copyOf(patients);
    }

    /**
     * The truth about one MRN.
     *
     * @param mrn the MRN, as it appears under {@link SandboxCohort#MRN_SYSTEM}
     * @param exists whether a Patient carries this MRN on the server (false for the unknown MRNs)
     * @param restricted whether the patient is behind break-the-glass: only {@code Patient} searches answer, every
     *        other search of the patient's data answers 403
     * @param patientId the FHIR id of the Patient ({@code p007}), or null when the MRN does not exist
     * @param resourceIdsBySearch per relative search without the patient parameter, as the predefined catalog writes
     *        it ({@code Observation?category=laboratory}, {@code MedicationRequest}, {@code Patient}), the ids
     *        ({@code Observation/lab-p007-0001}) that the search returns for this patient, in the server's order.
     *        Empty for an unknown MRN; only {@code Patient} for a restricted one.
     */
    public record PatientTruth(String mrn, boolean exists, boolean restricted, String patientId,
            Map<String, List<String>> resourceIdsBySearch) {

        public PatientTruth {
            Objects.requireNonNull(mrn, "mrn");
            Map<String, List<String>> copy = new LinkedHashMap<>();
            resourceIdsBySearch.forEach((search, ids) -> copy.put(search, List.copyOf(ids)));
            resourceIdsBySearch = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * The truth about one MRN of the cohort.
     *
     * @throws IllegalArgumentException when the MRN is not part of the cohort at all
     */
    public PatientTruth patient(String mrn) {
        return findPatient(mrn)
                .orElseThrow(() -> new IllegalArgumentException("MRN " + mrn + " is not part of this cohort"));
    }

    /**
     * The ids ({@code Type/id}) that {@code search} (a catalog search without the patient parameter, such as
     * {@code Observation?category=laboratory}) returns for the patient with this MRN; empty for an unknown MRN, for
     * a restricted patient's data and for a search that finds nothing.
     *
     * @throws IllegalArgumentException when the MRN is not part of the cohort at all
     */
    public List<String> expectedIds(String mrn, String search) {
        return patient(mrn).resourceIdsBySearch().getOrDefault(search, List.of());
    }

    private Optional<PatientTruth> findPatient(String mrn) {
        return patients.stream().filter(truth -> truth.mrn().equals(mrn)).findFirst();
    }
}
