package org.fhirsnapshot.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The predefined mapping resources (from REDCap CDIS), each a search that the worker runs for one patient. The
 * worker adds the patient parameter ({@code patient={id}}, or {@code _id={id}} for Patient), so no search here names
 * the patient. A search may hold placeholders such as {@code {study}} that the mapping's {@code params} fill.
 */
public final class PredefinedCatalog {

    /**
     * One predefined mapping.
     *
     * @param key the catalog key, also the mapping's key
     * @param name a display name
     * @param search the relative search, with {@code {param}} placeholders
     * @param parameters the names of the placeholders, each required
     */
    public record Entry(String key, String name, String search, List<String> parameters) {

        public String resourceType() {
            int question = search.indexOf('?');
            return question < 0 ? search : search.substring(0, question);
        }
    }

    private static final PredefinedCatalog R4 = new PredefinedCatalog(List.of(
            entry("demographics", "Demographics", "Patient"),
            entry("vital-signs", "Vital signs", "Observation?category=vital-signs"),
            entry("laboratory", "Laboratory", "Observation?category=laboratory"),
            entry("social-history", "Social history", "Observation?category=social-history"),
            entry("core-characteristics", "Core characteristics", "Observation?category=core-characteristics"),
            entry("medications", "Medications", "MedicationRequest"),
            entry("allergies", "Allergies", "AllergyIntolerance"),
            entry("problem-list", "Problem list", "Condition?category=problem-list-item"),
            entry("encounter-diagnosis", "Encounter diagnoses", "Condition?category=encounter-diagnosis"),
            entry("medical-history", "Medical history", "Condition?category=medical-history"),
            entry("reason-for-visit", "Reasons for visit", "Condition?category=reason-for-visit"),
            entry("infection", "Infections", "Condition?category=infection"),
            entry("genomics", "Genomics", "Condition?category=genomics"),
            entry("dental-finding", "Dental findings", "Condition?category=dental-finding"),
            entry("encounters", "Encounters", "Encounter"),
            entry("immunizations", "Immunizations", "Immunization"),
            entry("procedures", "Procedures", "Procedure"),
            entry("coverage", "Coverage", "Coverage"),
            entry("devices", "Devices", "Device"),
            entry("appointments", "Appointments", "Appointment?service-category=appointment"),
            entry("scheduled-surgeries", "Scheduled surgeries", "Appointment?service-category=surgery"),
            entry("clinical-notes", "Clinical notes", "DocumentReference?category=clinical-note"),
            new Entry("adverse-events", "Adverse events", "AdverseEvent?study={study}", List.of("study"))));

    private final Map<String, Entry> entries;
    private final List<Entry> ordered;

    private PredefinedCatalog(List<Entry> entries) {
        Map<String, Entry> byKey = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (byKey.put(entry.key(), entry) != null) {
                throw new IllegalArgumentException("Duplicate catalog key " + entry.key());
            }
        }
        this.entries = Map.copyOf(byKey);
        this.ordered = List.copyOf(entries);
    }

    /** The R4 catalog. */
    public static PredefinedCatalog r4() {
        return R4;
    }

    /** Every entry, in catalog order. */
    public List<Entry> entries() {
        return ordered;
    }

    /** The keys, in catalog order. */
    public List<String> keys() {
        return ordered.stream().map(Entry::key).toList();
    }

    public Optional<Entry> find(String key) {
        return Optional.ofNullable(key == null ? null : entries.get(key));
    }

    /** The key set (for membership tests). */
    public Set<String> keySet() {
        return entries.keySet();
    }

    private static Entry entry(String key, String name, String search) {
        return new Entry(key, name, search, List.of());
    }
}
