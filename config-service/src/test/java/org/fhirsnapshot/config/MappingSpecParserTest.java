package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.util.Map;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MappingSpecParserTest {

    private static final MappingSpecParser PARSER = new MappingSpecParser(PredefinedCatalog.r4(),
            FhirContext.forR4Cached().getResourceTypes());

    // --- predefined ---

    static Stream<PredefinedCatalog.Entry> plainCatalogEntries() {
        return PredefinedCatalog.r4().entries().stream().filter(entry -> entry.parameters().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("plainCatalogEntries")
    void everyPredefinedKeyResolvesToItsCatalogSearch(PredefinedCatalog.Entry entry) {
        ResolvedMapping resolved = PARSER.resolve("Some name", "predefined", entry.key(), null);

        assertThat(resolved.type()).isEqualTo(MappingType.predefined);
        assertThat(resolved.key()).isEqualTo(entry.key());
        assertThat(resolved.spec()).isEqualTo(entry.key());
        assertThat(resolved.query()).isEqualTo(entry.search());
        assertThat(resolved.resourceType()).isEqualTo(entry.resourceType());
        assertThat(resolved.params()).isEmpty();
    }

    @Test
    void demographicsSearchesPatientWithoutId() {
        ResolvedMapping resolved = PARSER.resolve("Demographics", "predefined", "demographics", Map.of());

        assertThat(resolved.query()).isEqualTo("Patient");
        assertThat(resolved.resourceType()).isEqualTo("Patient");
    }

    @Test
    void adverseEventsFillsTheStudy() {
        ResolvedMapping resolved = PARSER.resolve("AEs", "predefined", "adverse-events", Map.of("study", "RS-12.a"));

        assertThat(resolved.query()).isEqualTo("AdverseEvent?study=RS-12.a");
        assertThat(resolved.resourceType()).isEqualTo("AdverseEvent");
        assertThat(resolved.params()).containsExactly(Map.entry("study", "RS-12.a"));
        assertThat(resolved.key()).isEqualTo("adverse-events");
    }

    @Test
    void adverseEventsWithoutStudyIsRejected() {
        assertRejected(() -> PARSER.resolve("AEs", "predefined", "adverse-events", null), "params.study",
                "needs params.study");
        assertRejected(() -> PARSER.resolve("AEs", "predefined", "adverse-events", Map.of("study", " ")),
                "params.study", "needs params.study");
    }

    @Test
    void adverseEventsStudyMustBeAFhirId() {
        assertRejected(() -> PARSER.resolve("AEs", "predefined", "adverse-events", Map.of("study", "1&patient=2")),
                "params.study", "must be a FHIR id");
    }

    @Test
    void predefinedParamsThatTheEntryDoesNotTakeAreRejected() {
        assertRejected(() -> PARSER.resolve("V", "predefined", "vital-signs", Map.of("study", "1")), "params",
                "takes no params");
        assertRejected(() -> PARSER.resolve("AE", "predefined", "adverse-events", Map.of("study", "1", "x", "2")),
                "params", "takes only study");
    }

    @Test
    void unknownPredefinedKeyListsTheValidKeys() {
        InvalidMappingException rejection = assertRejected(
                () -> PARSER.resolve("V", "predefined", "vitals", null), "spec", "is not a predefined catalog key");
        assertThat(rejection.getMessage()).contains("vital-signs", "adverse-events", "demographics");
    }

    @Test
    void predefinedKeysAreCaseSensitiveButSurroundingSpaceIsTolerated() {
        assertRejected(() -> PARSER.resolve("V", "predefined", "Vital-Signs", null), "spec", "not a predefined");
        assertThat(PARSER.resolve("V", "predefined", " vital-signs ", null).key()).isEqualTo("vital-signs");
    }

    @Test
    void emptyPredefinedSpecIsRejected() {
        assertRejected(() -> PARSER.resolve("V", "predefined", null, null), "spec", "spec is empty");
        assertRejected(() -> PARSER.resolve("V", "predefined", "", null), "spec", "spec is empty");
    }

    // --- custom: accepted ---

    static Stream<Arguments> acceptedCustomSpecs() {
        return Stream.of(
                Arguments.of("Observation?category=social-history", "Observation",
                        "Observation?category=social-history"),
                Arguments.of("/Condition?category=problem-list-item", "Condition",
                        "Condition?category=problem-list-item"),
                Arguments.of("Observation", "Observation", "Observation"),
                Arguments.of("Patient", "Patient", "Patient"),
                Arguments.of("Observation?", "Observation", "Observation"),
                Arguments.of("  MedicationRequest?status=active  ", "MedicationRequest",
                        "MedicationRequest?status=active"),
                Arguments.of("Observation?code=http://loinc.org|8480-6", "Observation",
                        "Observation?code=http://loinc.org|8480-6"),
                Arguments.of("Observation?code:text=blood%20pressure&_count=50", "Observation",
                        "Observation?code:text=blood%20pressure&_count=50"),
                Arguments.of("Observation?date=ge2020-01-01&date=lt2021-01-01", "Observation",
                        "Observation?date=ge2020-01-01&date=lt2021-01-01"),
                Arguments.of("Encounter?_include=Encounter:location&status=finished", "Encounter",
                        "Encounter?_include=Encounter:location&status=finished"),
                Arguments.of("DiagnosticReport?category=LAB&_lastUpdated=gt2020-01-01T00:00:00Z", "DiagnosticReport",
                        "DiagnosticReport?category=LAB&_lastUpdated=gt2020-01-01T00:00:00Z"),
                Arguments.of("Condition?code=%23hash", "Condition", "Condition?code=%23hash"));
    }

    @ParameterizedTest
    @MethodSource("acceptedCustomSpecs")
    void customSpecIsResolved(String spec, String resourceType, String query) {
        ResolvedMapping resolved = PARSER.resolve("Social history", "custom", spec, null);

        assertThat(resolved.type()).isEqualTo(MappingType.custom);
        assertThat(resolved.resourceType()).isEqualTo(resourceType);
        assertThat(resolved.query()).isEqualTo(query);
        assertThat(resolved.spec()).isEqualTo(spec.strip());
        assertThat(resolved.key()).isEqualTo("social-history");
        assertThat(resolved.params()).isEmpty();
    }

    // --- custom: rejected ---

    static Stream<Arguments> rejectedCustomSpecs() {
        return Stream.of(
                Arguments.of("http://evil.example/Observation", "URL scheme ('http:')"),
                Arguments.of("https://evil.example/fhir/Observation?category=x", "URL scheme ('https:')"),
                Arguments.of("//evil/Observation", "starts with '//'"),
                Arguments.of("/ /evil/Observation", "space"),
                Arguments.of("../Patient", "contains '..'"),
                Arguments.of("Observation/../Patient", "contains '..'"),
                Arguments.of("%2e%2e/Patient", "contains '..' once percent-decoded"),
                Arguments.of("%2E%2E%2FPatient", "contains '..' once percent-decoded"),
                Arguments.of("Observation%2F..%2FPatient", "contains '..' once percent-decoded"),
                Arguments.of("Observation%3Fcategory=x",
                        "hides '?', '#' or '\\' in percent-encoding once percent-decoded"),
                Arguments.of("http%3A%2F%2Fevil/Observation", "URL scheme ('http:') once percent-decoded"),
                Arguments.of("%4Fbservation", "percent-encodes the resource type"),
                Arguments.of("Observation?patient=123", "names the patient (parameter 'patient')"),
                Arguments.of("Observation?subject=Patient/1", "names the patient (parameter 'subject')"),
                Arguments.of("Observation?subject:Patient=1", "names the patient (parameter 'subject:Patient')"),
                Arguments.of("Observation?patient.identifier=x|1",
                        "names the patient (parameter 'patient.identifier')"),
                Arguments.of("Observation?Patient=1", "names the patient"),
                Arguments.of("Patient?_id=1", "names the patient (parameter '_id')"),
                Arguments.of("Observation?%70atient=1", "names the patient (parameter 'patient')"),
                Arguments.of("Observation?category=x&_format=xml", "sets '_format'"),
                Arguments.of("Foo?x=1", "'Foo' is not a FHIR R4 resource type"),
                Arguments.of("observation?category=x", "did you mean 'Observation'?"),
                Arguments.of("Observation2?x=1", "is not a resource type name"),
                Arguments.of("", "spec is empty"),
                Arguments.of("   ", "spec is empty"),
                Arguments.of("/", "names no resource type"),
                Arguments.of("?category=x", "names no resource type"),
                Arguments.of("Patient/123", "has a '/' before its '?'"),
                Arguments.of("Observation/_search?category=x", "has a '/' before its '?'"),
                Arguments.of("Observation#x", "contains '#'"),
                Arguments.of("Observation?category=x#frag", "contains '#'"),
                Arguments.of("Observation?category=a b", "space"),
                Arguments.of("Observation?category=x\ny", "control character"),
                Arguments.of("Observation\\..\\Patient", "backslash"),
                Arguments.of("Observation?code=caf\u00e9", "non-ASCII"),
                Arguments.of("Observation?category=x?y=1", "second '?'"),
                Arguments.of("Observation?category=x&&code=y", "empty parameter"),
                Arguments.of("Observation?category=x&", "empty parameter"),
                Arguments.of("Observation?&category=x", "empty parameter"),
                Arguments.of("Observation?category", "parameter without '='"),
                Arguments.of("Observation?=x", "parameter without a name"),
                Arguments.of("Observation?cat egory=x", "space"),
                Arguments.of("Observation?cat%20egory=x", "parameter name 'cat egory' may contain only"),
                Arguments.of("Observation?cat$=x", "parameter name 'cat$' may contain only"),
                Arguments.of("Observation?category=", "parameter 'category' has no value"),
                Arguments.of("Observation?category=%zz", "malformed percent-encoding"),
                Arguments.of("Observation?category=%2", "malformed percent-encoding"),
                Arguments.of("Observation?category=%C3", "not UTF-8"),
                Arguments.of("Observation?code=x%26patient%3D1", "hides an '&'"),
                Arguments.of("Observation?code=x%0Ay", "control character once percent-decoded"),
                Arguments.of("Observation?code=..%2Fx", "contains '..'"),
                Arguments.of("Observation?code=%2e%2e", "contains '..'"),
                Arguments.of("Observation?code=//evil", "contains '//' outside a system URI"),
                Arguments.of("Observation:x", "URL scheme"),
                Arguments.of("Observation?category=" + "x".repeat(2100), "longer than 2048"));
    }

    @ParameterizedTest
    @MethodSource("rejectedCustomSpecs")
    void unsafeOrMalformedCustomSpecIsRejectedSayingWhy(String spec, String reason) {
        assertRejected(() -> PARSER.resolve("Name", "custom", spec, null), "spec", reason);
    }

    @Test
    void nullCustomSpecIsRejected() {
        assertRejected(() -> PARSER.resolve("Name", "custom", null, null), "spec", "spec is empty");
    }

    @Test
    void rejectionNeverRepeatsAParameterValue() {
        InvalidMappingException rejection = assertRejected(
                () -> PARSER.resolve("Name", "custom", "Observation?patient=MRN-4711", null), "spec", "patient");
        assertThat(rejection.getMessage()).doesNotContain("MRN-4711");
        rejection = assertRejected(
                () -> PARSER.resolve("Name", "custom", "Observation?code=MRN-4711%0A", null), "spec", "control");
        assertThat(rejection.getMessage()).doesNotContain("MRN-4711");
    }

    @Test
    void customMappingTakesNoParams() {
        assertRejected(() -> PARSER.resolve("Name", "custom", "Observation", Map.of("study", "1")), "params",
                "takes no params");
    }

    // --- name, type, key ---

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void blankNameIsRejected(String name) {
        assertRejected(() -> PARSER.resolve(name, "custom", "Observation", null), "name", "name is required");
    }

    @Test
    void nullNameAndOverlongNameAreRejected() {
        assertRejected(() -> PARSER.resolve(null, "custom", "Observation", null), "name", "name is required");
        assertRejected(() -> PARSER.resolve("n".repeat(201), "custom", "Observation", null), "name",
                "longer than 200");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Custom", "search"})
    void unknownTypeIsRejected(String type) {
        assertRejected(() -> PARSER.resolve("N", type, "Observation", null), "type", "'predefined'");
    }

    @Test
    void nullTypeIsRejected() {
        assertRejected(() -> PARSER.resolve("N", null, "Observation", null), "type", "'custom'");
    }

    @Test
    void customKeyIsASlugOfTheName() {
        assertThat(PARSER.resolve("Blood Pressure (systolic)", "custom", "Observation", null).key())
                .isEqualTo("blood-pressure-systolic");
        assertThat(PARSER.resolve("Crème brûlée / Ärzte", "custom", "Observation", null).key())
                .isEqualTo("creme-brulee-arzte");
        assertThat(PARSER.resolve("---", "custom", "MedicationRequest", null).key())
                .isEqualTo("medicationrequest");
    }

    @Test
    void slugIsAtMost64CharactersWithoutTrailingDash() {
        String slug = MappingSpecParser.slugOf("a".repeat(63) + " b and more");
        assertThat(slug).hasSizeLessThanOrEqualTo(64).doesNotEndWith("-").isEqualTo("a".repeat(63));
        assertThat(MappingSpecParser.slugOf("x".repeat(100))).hasSize(64);
        assertThat(MappingSpecParser.slugOf(null)).isEmpty();
    }

    @Test
    void resolvedParamsAreSortedByName() {
        ResolvedMapping resolved = PARSER.resolve("AE", "predefined", "adverse-events", Map.of("study", "S1"));
        assertThat(resolved.params()).isInstanceOf(java.util.TreeMap.class);
    }

    private static InvalidMappingException assertRejected(Runnable call, String field, String reason) {
        InvalidMappingException[] caught = new InvalidMappingException[1];
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidMappingException.class, e -> {
            caught[0] = e;
            Problem problem = e.toProblem();
            assertThat(problem.status()).isEqualTo(400);
            assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly(field);
            assertThat(problem.detail()).contains(reason);
        });
        return caught[0];
    }
}
