package org.fhirsnapshot.sandbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/**
 * The synthetic patients a sandbox serves, their clinical resources, and the {@link GroundTruth} about them.
 * Immutable once built; the demo cohort is the same on every call and in every JVM.
 */
public final class SandboxCohort {

    /** Epic-like identifier system of the MRN: {@code Patient?identifier=MRN_SYSTEM|MRN000007} finds a patient. */
    public static final String MRN_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14";

    /** A second identifier of every patient, with a different value than the MRN. */
    public static final String ENTERPRISE_ID_SYSTEM = "http://hospital.example.org/enterprise-id";

    private final List<String> demoMrns;
    private final GroundTruth groundTruth;
    private final Map<String, Patient> patientsById;
    private final Set<String> restrictedPatientIds;
    private final Map<String, Map<String, List<Resource>>> chartsByPatientId;
    private final Map<String, Resource> resourcesByKey;
    private final Map<String, String> patientIdsByResourceKey;

    /**
     * @param demoMrns the MRNs a snapshot of this cohort asks for, existing and unknown
     * @param patients the patients on the server
     * @param restrictedPatientIds the ids of the patients behind break-the-glass
     * @param clinicalResourcesByPatientId every other resource, per patient id, in the order searches return them
     * @param groundTruth the truth about every MRN of {@code demoMrns}
     */
    SandboxCohort(List<String> demoMrns, List<Patient> patients, Set<String> restrictedPatientIds,
            Map<String, List<Resource>> clinicalResourcesByPatientId, GroundTruth groundTruth) {
        this.demoMrns = List.copyOf(demoMrns);
        this.groundTruth = groundTruth;
        this.restrictedPatientIds = Set.copyOf(restrictedPatientIds);
        Map<String, Patient> patientIndex = new LinkedHashMap<>();
        Map<String, Resource> resourceIndex = new LinkedHashMap<>();
        Map<String, String> ownerIndex = new LinkedHashMap<>();
        for (Patient patient : patients) {
            String patientId = patient.getIdElement().getIdPart();
            patientIndex.put(patientId, patient);
            resourceIndex.put(key(patient), patient);
            ownerIndex.put(key(patient), patientId);
        }
        Map<String, Map<String, List<Resource>>> charts = new LinkedHashMap<>();
        clinicalResourcesByPatientId.forEach((patientId, resources) -> {
            Map<String, List<Resource>> chart = new LinkedHashMap<>();
            for (Resource resource : resources) {
                chart.computeIfAbsent(resource.fhirType(), type -> new ArrayList<>()).add(resource);
                resourceIndex.put(key(resource), resource);
                ownerIndex.put(key(resource), patientId);
            }
            chart.replaceAll((type, list) -> List.copyOf(list));
            charts.put(patientId, Collections.unmodifiableMap(chart));
        });
        this.patientsById = Collections.unmodifiableMap(patientIndex);
        this.resourcesByKey = Collections.unmodifiableMap(resourceIndex);
        this.patientIdsByResourceKey = Collections.unmodifiableMap(ownerIndex);
        this.chartsByPatientId = Collections.unmodifiableMap(charts);
    }

    /**
     * The demo cohort: 56 patients ({@code p001}…, MRNs {@code MRN000001}…) and 4 MRNs that no patient carries;
     * 3 patients with 2,500 laboratory Observations each, 3 restricted (break-the-glass) patients, one patient with
     * no clinical data. Deterministic: built anew on each call, always the same.
     */
    public static SandboxCohort demo() {
        return new DemoCohortGenerator().generate();
    }

    /**
     * A demo cohort of {@code mrnCount} MRNs ({@code MRN000001} to {@code MRN%06d} of {@code mrnCount}), for runs
     * larger (or smaller) than the demo. Its first 60 MRNs are exactly {@link #demo()}'s (with their data); every
     * next 60 repeat the demo's pattern: 4 unknown MRNs (numbers 14, 29, 44, 59 of each 60), 3 restricted patients
     * (5, 23, 47) and an empty chart (10), each patient's chart drawn from its own number. Only the first 60 have the
     * three 2,500-lab charts (3, 31, 52): past them, those numbers get an ordinary chart, so a cohort of a few hundred
     * MRNs stays light. Deterministic, with its {@link #groundTruth()}; {@code demo(60)} equals {@link #demo()}.
     *
     * @throws IllegalArgumentException when {@code mrnCount} is not between 1 and 999,999
     */
    public static SandboxCohort demo(int mrnCount) {
        return new DemoCohortGenerator().generate(mrnCount);
    }

    /** The MRNs a demo snapshot asks for: every existing patient's and the unknown ones, in a stable order. */
    public List<String> demoMrns() {
        return demoMrns;
    }

    public GroundTruth groundTruth() {
        return groundTruth;
    }

    /**
     * Every given and family name of the cohort's patients (each name part once, sorted): PHI that tests look for
     * where it must never appear, such as service logs.
     */
    public SortedSet<String> patientNames() {
        SortedSet<String> names = new TreeSet<>();
        for (Patient patient : patientsById.values()) {
            for (HumanName name : patient.getName()) {
                name.getGiven().forEach(given -> names.add(given.getValue()));
                if (name.hasFamily()) {
                    names.add(name.getFamily());
                }
            }
        }
        return Collections.unmodifiableSortedSet(names);
    }

    Collection<Patient> patients() {
        return patientsById.values();
    }

    Optional<Patient> patient(String patientId) {
        return Optional.ofNullable(patientsById.get(patientId));
    }

    boolean isRestricted(String patientId) {
        return restrictedPatientIds.contains(patientId);
    }

    /** The patient's resources of one type, in search order; empty for an unknown patient. */
    List<Resource> chart(String patientId, String resourceType) {
        return chartsByPatientId.getOrDefault(patientId, Map.of()).getOrDefault(resourceType, List.of());
    }

    Optional<Resource> resource(String resourceType, String id) {
        return Optional.ofNullable(resourcesByKey.get(resourceType + "/" + id));
    }

    /** The id of the patient whose chart holds this resource. */
    Optional<String> patientIdOf(String resourceType, String id) {
        return Optional.ofNullable(patientIdsByResourceKey.get(resourceType + "/" + id));
    }

    private static String key(Resource resource) {
        return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
    }
}
