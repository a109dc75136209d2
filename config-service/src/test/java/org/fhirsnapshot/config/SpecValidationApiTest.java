package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /api/catalog/validate}: the console checks a spec as it is typed, and must be told exactly what creating
 * the mapping would say, without anything being created.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class SpecValidationApiTest {

    @Test
    void aPredefinedKeyIsValidWithItsCatalogSearch() {
        validate(Map.of("type", "predefined", "spec", "vital-signs"))
                .body("valid", equalTo(true))
                .body("resourceType", equalTo("Observation"))
                .body("search", equalTo("Observation?category=vital-signs"))
                .body("$", not(hasKey("field")))
                .body("$", not(hasKey("detail")));
        validate(Map.of("type", "predefined", "spec", "adverse-events", "params", Map.of("study", "RS-7")))
                .body("valid", equalTo(true))
                .body("resourceType", equalTo("AdverseEvent"))
                .body("search", equalTo("AdverseEvent?study=RS-7"));
    }

    @Test
    void aCustomSearchIsValidWithTheSearchAndTypeTheCreatedMappingGets() {
        String project = ApiFixtures.createProject();
        for (String spec : new String[]{"/Observation?code=http://loinc.org|8480-6&_count=50", "  Condition  ",
                "MedicationRequest?status=active&intent=order"}) {
            JsonPath validated = validate(Map.of("type", "custom", "spec", spec)).body("valid", equalTo(true))
                    .extract().jsonPath();
            JsonPath created = given().contentType(ContentType.JSON)
                    .body(Map.of("name", ApiFixtures.uniqueKey("Custom"), "type", "custom", "spec", spec))
                    .when().post("/api/projects/{key}/mappings", project)
                    .then().statusCode(201).extract().jsonPath();

            assertThat(validated.getString("search")).as(spec).isEqualTo(created.getString("query"));
            assertThat(validated.getString("resourceType")).as(spec).isEqualTo(created.getString("resourceType"));
        }
        assertThat(validate(Map.of("type", "custom", "spec", "/Observation?code=http://loinc.org|8480-6"))
                .extract().jsonPath().getString("search")).isEqualTo("Observation?code=http://loinc.org|8480-6");
    }

    static Stream<Arguments> refusedSpecs() {
        Map<String, Object> customWithParams = new LinkedHashMap<>();
        customWithParams.put("type", "custom");
        customWithParams.put("spec", "Observation");
        customWithParams.put("params", Map.of("study", "RS-7"));
        Map<String, Object> nullSpec = new HashMap<>();
        nullSpec.put("type", "custom");
        nullSpec.put("spec", null);
        return Stream.of(
                Arguments.of("a parameter without a value", Map.of("type", "custom", "spec", "Observation?foo")),
                Arguments.of("an unknown resource type", Map.of("type", "custom", "spec", "Observaton?code=1")),
                Arguments.of("a resource type in the wrong case", Map.of("type", "custom", "spec", "observation")),
                Arguments.of("a full URL", Map.of("type", "custom", "spec", "https://evil.example/fhir/Observation")),
                Arguments.of("the patient", Map.of("type", "custom", "spec", "Observation?subject:Patient=1")),
                Arguments.of("an encoded climb", Map.of("type", "custom", "spec", "%2e%2e/Observation")),
                Arguments.of("an empty spec", Map.of("type", "custom", "spec", "")),
                Arguments.of("no spec", nullSpec),
                Arguments.of("a spec over the length limit", Map.of("type", "custom", "spec",
                        "Observation?code=" + "1".repeat(MappingSpecParser.MAX_SPEC_LENGTH))),
                Arguments.of("params on a custom search", customWithParams),
                Arguments.of("an unknown catalog key", Map.of("type", "predefined", "spec", "no-such-key")),
                Arguments.of("a missing catalog parameter", Map.of("type", "predefined", "spec", "adverse-events")),
                Arguments.of("a catalog parameter that is not a FHIR id", Map.of("type", "predefined", "spec",
                        "adverse-events", "params", Map.of("study", "not an id!"))),
                Arguments.of("a parameter the catalog entry does not take", Map.of("type", "predefined", "spec",
                        "vital-signs", "params", Map.of("study", "RS-7"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSpecs")
    void anInvalidSpecGetsTheFieldAndDetailThatCreatingTheMappingIsRefusedWith(String what,
            Map<String, Object> body) {
        String project = ApiFixtures.createProject();
        Map<String, Object> mapping = new HashMap<>(body);
        mapping.put("name", "Checked");
        JsonPath refused = given().contentType(ContentType.JSON).body(mapping)
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400).contentType(startsWith(Problem.MEDIA_TYPE)).extract().jsonPath();

        JsonPath validated = validate(body).body("valid", equalTo(false))
                .body("$", not(hasKey("resourceType")))
                .body("$", not(hasKey("search")))
                .extract().jsonPath();

        assertThat(validated.getString("detail")).isNotBlank().isEqualTo(refused.getString("detail"));
        assertThat(validated.getString("field")).isEqualTo(refused.getString("errors[0].field"));
        assertThat(ConfigDatabase.mappingRows(project, false)).isZero();
    }

    @Test
    void validatingCreatesNothing() {
        long before = ConfigDatabase.allMappingRows();

        validate(Map.of("type", "custom", "spec", "Observation?category=laboratory")).body("valid", equalTo(true));
        validate(Map.of("type", "predefined", "spec", "laboratory")).body("valid", equalTo(true));
        validate(Map.of("type", "custom", "spec", "Observation?foo")).body("valid", equalTo(false));

        assertThat(ConfigDatabase.allMappingRows()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotAMappingCheckIsABadRequestProblem() {
        given().contentType(ContentType.JSON).body("{\"type\": \"custom\", \"spec\": ")
                .when().post("/api/catalog/validate")
                .then().statusCode(400).contentType(startsWith(Problem.MEDIA_TYPE));
        given().contentType(ContentType.JSON)
                .when().post("/api/catalog/validate")
                .then().statusCode(400).contentType(startsWith(Problem.MEDIA_TYPE));
        given().contentType(ContentType.JSON).body(Map.of("spec", "Observation"))
                .when().post("/api/catalog/validate")
                .then().statusCode(400).contentType(startsWith(Problem.MEDIA_TYPE))
                .body("errors.field", hasItem("type"));
        // A type that is neither: the same 400 as creating a mapping with it.
        String project = ApiFixtures.createProject();
        String creation = given().contentType(ContentType.JSON)
                .body(Map.of("name", "Odd", "type", "search", "spec", "Observation"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400).extract().jsonPath().getString("detail");
        given().contentType(ContentType.JSON).body(Map.of("type", "search", "spec", "Observation"))
                .when().post("/api/catalog/validate")
                .then().statusCode(400).contentType(startsWith(Problem.MEDIA_TYPE))
                .body("detail", equalTo(creation))
                .body("errors.field", hasItem("type"));
    }

    @Test
    void anyAuthenticatedCallerMayValidateButNobodyAnonymously() {
        Map<String, Object> body = Map.of("type", "custom", "spec", "Observation?category=laboratory");
        given().noFilters().contentType(ContentType.JSON).body(body)
                .when().post("/api/catalog/validate")
                .then().statusCode(401).contentType(startsWith(Problem.MEDIA_TYPE))
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().header("Authorization", "Bearer " + TestTokens.user("nobody")).contentType(ContentType.JSON)
                .body(body)
                .when().post("/api/catalog/validate")
                .then().statusCode(200).body("valid", equalTo(true));
    }

    private static ValidatableResponse validate(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/api/catalog/validate")
                .then().statusCode(200).contentType(ContentType.JSON);
    }
}
