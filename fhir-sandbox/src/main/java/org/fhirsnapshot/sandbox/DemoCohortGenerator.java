package org.fhirsnapshot.sandbox;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Builds the demo cohort. Every choice comes from the patient's number and a {@link Random} with a fixed seed per
 * patient, so the cohort is identical on every run. A cohort of another size repeats the pattern of the first 60
 * numbers (unknown, restricted and empty-chart patients) every 60 numbers, but not the heavy laboratory charts, which
 * only the first 60 numbers have: a cohort of a few hundred MRNs stays light to fetch.
 */
final class DemoCohortGenerator {

    static final int MRN_COUNT = 60;
    /** The most MRNs a cohort may have: {@code MRN%06d} must stay six digits. */
    static final int MAX_MRN_COUNT = 999_999;
    static final Set<Integer> UNKNOWN_PATIENT_NUMBERS = Set.of(14, 29, 44, 59);
    static final Set<Integer> RESTRICTED_PATIENT_NUMBERS = Set.of(5, 23, 47);
    static final Set<Integer> HEAVY_LAB_PATIENT_NUMBERS = Set.of(3, 31, 52);
    static final int EMPTY_CHART_PATIENT_NUMBER = 10;
    static final int HEAVY_LAB_COUNT = 2_500;

    static final String OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";
    static final String CONDITION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-category";

    static final String VITAL_SIGNS = "Observation?category=vital-signs";
    static final String LABORATORY = "Observation?category=laboratory";
    static final String SOCIAL_HISTORY = "Observation?category=social-history";
    static final String PROBLEM_LIST = "Condition?category=problem-list-item";
    static final String ENCOUNTER_DIAGNOSIS = "Condition?category=encounter-diagnosis";
    static final String MEDICATIONS = "MedicationRequest";
    static final String ALLERGIES = "AllergyIntolerance";
    static final String ENCOUNTERS = "Encounter";
    static final String IMMUNIZATIONS = "Immunization";
    static final String PROCEDURES = "Procedure";
    static final String DEMOGRAPHICS = "Patient";

    /** The searches of the ground truth, in the order its maps list them. */
    static final List<String> TRUTH_SEARCHES = List.of(DEMOGRAPHICS, VITAL_SIGNS, LABORATORY, SOCIAL_HISTORY,
            PROBLEM_LIST, ENCOUNTER_DIAGNOSIS, MEDICATIONS, ALLERGIES, ENCOUNTERS, IMMUNIZATIONS, PROCEDURES);

    private static final long SEED = 20_240_611L;
    private static final Instant CHART_START = Instant.parse("2021-01-04T08:00:00Z");

    private static final String LOINC = "http://loinc.org";
    private static final String SNOMED = "http://snomed.info/sct";
    private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
    private static final String CVX = "http://hl7.org/fhir/sid/cvx";
    private static final String UCUM = "http://unitsofmeasure.org";

    private static final List<String> GIVEN_NAMES = List.of("Ada", "Bram", "Chloe", "Dario", "Elif", "Femi", "Greta",
            "Hugo", "Ines", "Jonas", "Kira", "Luca", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tess");
    private static final List<String> FAMILY_NAMES = List.of("Sandbox", "Testwell", "Fakeson", "Mockridge",
            "Synthia", "Dummer", "Placeholt", "Samplewood", "Exampleby", "Fixture");

    private record Measure(String code, String display, String unit, double low, double high) {
    }

    private record Concept(String system, String code, String display) {
        CodeableConcept toCodeableConcept() {
            return new CodeableConcept(new Coding(system, code, display)).setText(display);
        }
    }

    private static final List<Measure> VITALS = List.of(
            new Measure("8867-4", "Heart rate", "/min", 55, 100),
            new Measure("8310-5", "Body temperature", "Cel", 36.1, 37.8),
            new Measure("9279-1", "Respiratory rate", "/min", 12, 20),
            new Measure("29463-7", "Body weight", "kg", 50, 110),
            new Measure("8302-2", "Body height", "cm", 150, 195));
    private static final List<Measure> LABS = List.of(
            new Measure("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 140),
            new Measure("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11, 17),
            new Measure("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.3),
            new Measure("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1),
            new Measure("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135, 145));
    private static final List<Concept> SMOKING_STATUSES = List.of(
            new Concept(SNOMED, "266919005", "Never smoker"),
            new Concept(SNOMED, "8517006", "Ex-smoker"),
            new Concept(SNOMED, "77176002", "Smoker"));
    private static final List<Concept> PROBLEMS = List.of(
            new Concept(SNOMED, "44054006", "Diabetes mellitus type 2"),
            new Concept(SNOMED, "38341003", "Hypertensive disorder"),
            new Concept(SNOMED, "195967001", "Asthma"),
            new Concept(SNOMED, "55822004", "Hyperlipidemia"),
            new Concept(SNOMED, "35489007", "Depressive disorder"));
    private static final List<Concept> DIAGNOSES = List.of(
            new Concept(SNOMED, "36971009", "Sinusitis"),
            new Concept(SNOMED, "10509002", "Acute bronchitis"),
            new Concept(SNOMED, "68566005", "Urinary tract infectious disease"),
            new Concept(SNOMED, "25064002", "Headache"));
    private static final List<Concept> MEDICATIONS_ORDERED = List.of(
            new Concept(RXNORM, "860975", "metformin hydrochloride 500 MG Oral Tablet"),
            new Concept(RXNORM, "314076", "lisinopril 10 MG Oral Tablet"),
            new Concept(RXNORM, "617312", "atorvastatin 40 MG Oral Tablet"),
            new Concept(RXNORM, "745679", "albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"),
            new Concept(RXNORM, "310965", "ibuprofen 200 MG Oral Tablet"));
    private static final List<Concept> ALLERGENS = List.of(
            new Concept(SNOMED, "91936005", "Allergy to penicillin"),
            new Concept(SNOMED, "300913006", "Shellfish allergy"),
            new Concept(SNOMED, "91935009", "Allergy to peanuts"));
    private static final List<Concept> VACCINES = List.of(
            new Concept(CVX, "140", "Influenza, seasonal, injectable, preservative free"),
            new Concept(CVX, "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"),
            new Concept(CVX, "115", "Tdap"),
            new Concept(CVX, "43", "Hepatitis B vaccine, adult dosage"));
    private static final List<Concept> PROCEDURES_DONE = List.of(
            new Concept(SNOMED, "73761001", "Colonoscopy"),
            new Concept(SNOMED, "80146002", "Appendectomy"),
            new Concept(SNOMED, "399208008", "Plain chest X-ray"));

    SandboxCohort generate() {
        return generate(MRN_COUNT);
    }

    /** The cohort of MRNs {@code MRN000001} to {@code mrnCount}; {@code generate(60)} is the demo cohort. */
    SandboxCohort generate(int mrnCount) {
        if (mrnCount < 1 || mrnCount > MAX_MRN_COUNT) {
            throw new IllegalArgumentException("a cohort has 1 to " + MAX_MRN_COUNT + " MRNs, not " + mrnCount);
        }
        List<String> demoMrns = new ArrayList<>();
        List<Patient> patients = new ArrayList<>();
        Set<String> restrictedPatientIds = new HashSet<>();
        Map<String, List<Resource>> charts = new LinkedHashMap<>();
        List<PatientTruth> truths = new ArrayList<>();
        for (int number = 1; number <= mrnCount; number++) {
            String mrn = "MRN%06d".formatted(number);
            demoMrns.add(mrn);
            if (UNKNOWN_PATIENT_NUMBERS.contains(patternNumber(number))) {
                truths.add(new PatientTruth(mrn, false, false, null, Map.of()));
                continue;
            }
            ChartWriter chart = new ChartWriter(number);
            Patient patient = chart.patient(mrn);
            patients.add(patient);
            chart.writeClinicalData();
            charts.put(chart.patientId, chart.clinicalResources);
            boolean restricted = RESTRICTED_PATIENT_NUMBERS.contains(patternNumber(number));
            if (restricted) {
                restrictedPatientIds.add(chart.patientId);
            }
            Map<String, List<String>> visibleIds = restricted
                    ? Map.of(DEMOGRAPHICS, List.of(patient.getIdElement().getValue()))
                    : chart.idsBySearch;
            truths.add(new PatientTruth(mrn, true, restricted, chart.patientId, visibleIds));
        }
        return new SandboxCohort(demoMrns, patients, restrictedPatientIds, charts, new GroundTruth(truths));
    }

    /** The number among the first 60 whose role (unknown, restricted, empty chart) {@code number} repeats. */
    static int patternNumber(int number) {
        return (number - 1) % MRN_COUNT + 1;
    }

    /** Writes one patient's chart and records, per catalog search, the ids it returns. */
    private static final class ChartWriter {

        private final int number;
        private final String patientId;
        private final Reference subject;
        private final Random random;
        private final List<Resource> clinicalResources = new ArrayList<>();
        private final Map<String, List<String>> idsBySearch = new LinkedHashMap<>();
        private final List<Encounter> encounters = new ArrayList<>();

        ChartWriter(int number) {
            this.number = number;
            this.patientId = "p%03d".formatted(number);
            this.subject = new Reference("Patient/" + patientId);
            this.random = new Random(SEED + number);
            TRUTH_SEARCHES.forEach(search -> idsBySearch.put(search, new ArrayList<>()));
        }

        Patient patient(String mrn) {
            Patient patient = new Patient();
            patient.setId(new IdType("Patient", patientId));
            patient.addIdentifier(new Identifier().setUse(Identifier.IdentifierUse.USUAL)
                    .setType(new CodeableConcept().setText("MRN")).setSystem(SandboxCohort.MRN_SYSTEM).setValue(mrn));
            patient.addIdentifier(new Identifier().setUse(Identifier.IdentifierUse.OFFICIAL)
                    .setType(new CodeableConcept().setText("Enterprise ID"))
                    .setSystem(SandboxCohort.ENTERPRISE_ID_SYSTEM).setValue("E%07d".formatted(7_000_000 + number)));
            patient.setActive(true);
            patient.addName(new HumanName().setUse(HumanName.NameUse.OFFICIAL)
                    .setFamily(FAMILY_NAMES.get(number % FAMILY_NAMES.size()))
                    .addGiven(GIVEN_NAMES.get(number % GIVEN_NAMES.size())));
            patient.setGender(random.nextBoolean() ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
            patient.setBirthDateElement(new DateType(LocalDate.of(1940, 1, 1)
                    .plusDays(random.nextInt(60 * 365)).toString()));
            idsBySearch.get(DEMOGRAPHICS).add(patient.getIdElement().getValue());
            return patient;
        }

        void writeClinicalData() {
            boolean emptyChart = patternNumber(number) == EMPTY_CHART_PATIENT_NUMBER;
            int encounterCount = emptyChart ? 0 : random.nextInt(6);
            int vitalCount = emptyChart ? 0 : random.nextInt(6);
            int labCount = emptyChart ? 0 : random.nextInt(6);
            int socialCount = emptyChart ? 0 : random.nextInt(4);
            int problemCount = emptyChart ? 0 : random.nextInt(6);
            int diagnosisCount = emptyChart ? 0 : random.nextInt(5);
            int medicationCount = emptyChart ? 0 : random.nextInt(6);
            int allergyCount = emptyChart ? 0 : random.nextInt(4);
            int immunizationCount = emptyChart ? 0 : random.nextInt(5);
            int procedureCount = emptyChart ? 0 : random.nextInt(4);
            if (HEAVY_LAB_PATIENT_NUMBERS.contains(number)) {
                labCount = HEAVY_LAB_COUNT;
            }
            for (int i = 1; i <= encounterCount; i++) {
                encounter(i);
            }
            for (int i = 1; i <= vitalCount; i++) {
                observation(VITAL_SIGNS, "vs", "vital-signs", "Vital Signs", i, VITALS.get((i - 1) % VITALS.size()));
            }
            for (int i = 1; i <= labCount; i++) {
                observation(LABORATORY, "lab", "laboratory", "Laboratory", i, LABS.get((i - 1) % LABS.size()));
            }
            for (int i = 1; i <= socialCount; i++) {
                smokingStatus(i);
            }
            for (int i = 1; i <= problemCount; i++) {
                condition(PROBLEM_LIST, "pl", "problem-list-item", "Problem List Item", i, PROBLEMS);
            }
            for (int i = 1; i <= diagnosisCount; i++) {
                condition(ENCOUNTER_DIAGNOSIS, "dx", "encounter-diagnosis", "Encounter Diagnosis", i, DIAGNOSES);
            }
            for (int i = 1; i <= medicationCount; i++) {
                medicationRequest(i);
            }
            for (int i = 1; i <= allergyCount; i++) {
                allergy(i);
            }
            for (int i = 1; i <= immunizationCount; i++) {
                immunization(i);
            }
            for (int i = 1; i <= procedureCount; i++) {
                procedure(i);
            }
        }

        private void encounter(int index) {
            Encounter encounter = new Encounter();
            identify(encounter, "enc", index);
            encounter.setStatus(Encounter.EncounterStatus.FINISHED);
            encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
            encounter.addType(new Concept(SNOMED, "185349003", "Encounter for check up").toCodeableConcept());
            encounter.setSubject(subject.copy());
            Instant start = moment(index * 97L);
            encounter.setPeriod(new Period().setStartElement(dateTime(start))
                    .setEndElement(dateTime(start.plus(Duration.ofMinutes(30)))));
            encounters.add(encounter);
            add(ENCOUNTERS, encounter);
        }

        private void observation(String search, String prefix, String category, String categoryDisplay, int index,
                Measure measure) {
            Observation observation = new Observation();
            identify(observation, prefix, index);
            observation.setStatus(Observation.ObservationStatus.FINAL);
            observation.addCategory(category(OBSERVATION_CATEGORY_SYSTEM, category, categoryDisplay));
            observation.setCode(new Concept(LOINC, measure.code(), measure.display()).toCodeableConcept());
            observation.setSubject(subject.copy());
            observation.setEffective(dateTime(moment(index * 6L)));
            BigDecimal value = BigDecimal
                    .valueOf(measure.low() + (measure.high() - measure.low()) * random.nextDouble())
                    .setScale(1, RoundingMode.HALF_UP);
            observation.setValue(new Quantity().setValue(value).setUnit(measure.unit()).setSystem(UCUM)
                    .setCode(measure.unit()));
            add(search, observation);
        }

        private void smokingStatus(int index) {
            Observation observation = new Observation();
            identify(observation, "sh", index);
            observation.setStatus(Observation.ObservationStatus.FINAL);
            observation.addCategory(category(OBSERVATION_CATEGORY_SYSTEM, "social-history", "Social History"));
            observation.setCode(new Concept(LOINC, "72166-2", "Tobacco smoking status").toCodeableConcept());
            observation.setSubject(subject.copy());
            observation.setEffective(dateTime(moment(index * 211L)));
            observation.setValue(SMOKING_STATUSES.get(random.nextInt(SMOKING_STATUSES.size())).toCodeableConcept());
            add(SOCIAL_HISTORY, observation);
        }

        private void condition(String search, String prefix, String category, String categoryDisplay, int index,
                List<Concept> codes) {
            Condition condition = new Condition();
            identify(condition, prefix, index);
            condition.setClinicalStatus(category("http://terminology.hl7.org/CodeSystem/condition-clinical", "active",
                    "Active"));
            condition.setVerificationStatus(category("http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "confirmed", "Confirmed"));
            condition.addCategory(category(CONDITION_CATEGORY_SYSTEM, category, categoryDisplay));
            condition.setCode(codes.get((index - 1 + number) % codes.size()).toCodeableConcept());
            condition.setSubject(subject.copy());
            if (ENCOUNTER_DIAGNOSIS.equals(search) && !encounters.isEmpty()) {
                Encounter encounter = encounters.get((index - 1) % encounters.size());
                condition.setEncounter(new Reference(encounter.getIdElement().getValue()));
            }
            condition.setRecordedDateElement(dateTime(moment(index * 53L)));
            add(search, condition);
        }

        private void medicationRequest(int index) {
            MedicationRequest request = new MedicationRequest();
            identify(request, "med", index);
            request.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
            request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
            request.setMedication(MEDICATIONS_ORDERED.get((index - 1 + number) % MEDICATIONS_ORDERED.size())
                    .toCodeableConcept());
            request.setSubject(subject.copy());
            request.setAuthoredOnElement(dateTime(moment(index * 71L)));
            add(MEDICATIONS, request);
        }

        private void allergy(int index) {
            AllergyIntolerance allergy = new AllergyIntolerance();
            identify(allergy, "alg", index);
            allergy.setClinicalStatus(category("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "active", "Active"));
            allergy.setVerificationStatus(category(
                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"));
            allergy.setCode(ALLERGENS.get((index - 1 + number) % ALLERGENS.size()).toCodeableConcept());
            allergy.setPatient(subject.copy());
            allergy.setRecordedDateElement(dateTime(moment(index * 131L)));
            add(ALLERGIES, allergy);
        }

        private void immunization(int index) {
            Immunization immunization = new Immunization();
            identify(immunization, "imm", index);
            immunization.setStatus(Immunization.ImmunizationStatus.COMPLETED);
            immunization.setVaccineCode(VACCINES.get((index - 1 + number) % VACCINES.size()).toCodeableConcept());
            immunization.setPatient(subject.copy());
            immunization.setOccurrence(dateTime(moment(index * 181L)));
            add(IMMUNIZATIONS, immunization);
        }

        private void procedure(int index) {
            Procedure procedure = new Procedure();
            identify(procedure, "proc", index);
            procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
            procedure.setCode(PROCEDURES_DONE.get((index - 1 + number) % PROCEDURES_DONE.size()).toCodeableConcept());
            procedure.setSubject(subject.copy());
            procedure.setPerformed(dateTime(moment(index * 163L)));
            add(PROCEDURES, procedure);
        }

        private void identify(Resource resource, String prefix, int index) {
            resource.setId(new IdType(resource.fhirType(), "%s-%s-%04d".formatted(prefix, patientId, index)));
        }

        private void add(String search, Resource resource) {
            clinicalResources.add(resource);
            idsBySearch.get(search).add(resource.getIdElement().getValue());
        }

        /** A moment in this patient's chart: hours after the chart starts, shifted per patient. */
        private Instant moment(long hours) {
            return CHART_START.plus(Duration.ofHours(hours + number * 24L));
        }

        private static CodeableConcept category(String system, String code, String display) {
            return new CodeableConcept(new Coding(system, code, display));
        }

        private static DateTimeType dateTime(Instant instant) {
            return new DateTimeType(instant.toString());
        }
    }
}
