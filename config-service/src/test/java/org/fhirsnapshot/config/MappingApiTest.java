package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class MappingApiTest {

    @Test
    void everyPredefinedKeyResolvesToItsCatalogSearch() {
        String project = ApiFixtures.createProject();
        for (PredefinedCatalog.Entry entry : PredefinedCatalog.r4().entries()) {
            Map<String, Object> body = entry.parameters().isEmpty()
                    ? Map.of("name", entry.name(), "type", "predefined", "spec", entry.key())
                    : Map.of("name", entry.name(), "type", "predefined", "spec", entry.key(), "params",
                            Map.of("study", "RS-7"));
            String expectedQuery = entry.search().replace("{study}", "RS-7");

            given().contentType(ContentType.JSON).body(body)
                    .when().post("/api/projects/{key}/mappings", project)
                    .then().statusCode(201)
                    .header("Location", containsString("/api/projects/" + project + "/mappings/"))
                    .body("id", not(nullValue()))
                    .body("projectKey", equalTo(project))
                    .body("name", equalTo(entry.name()))
                    .body("key", equalTo(entry.key()))
                    .body("type", equalTo("predefined"))
                    .body("spec", equalTo(entry.key()))
                    .body("resourceType", equalTo(entry.resourceType()))
                    .body("query", equalTo(expectedQuery))
                    .body("revision", equalTo(1))
                    .body("createdAt", not(nullValue()))
                    .body("updatedAt", not(nullValue()));
        }

        given().queryParam("size", 100).when().get("/api/projects/{key}/mappings", project)
                .then().statusCode(200)
                .body("total", equalTo(PredefinedCatalog.r4().entries().size()))
                .body("items.find { it.key == 'adverse-events' }.params.study", equalTo("RS-7"))
                .body("items.find { it.key == 'demographics' }.query", equalTo("Patient"));
    }

    @Test
    void adverseEventsWithoutStudyIsAProblem() {
        String project = ApiFixtures.createProject();

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "AEs", "type", "predefined", "spec", "adverse-events"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("params.study"));
        assertThat(ConfigDatabase.mappingRows(project, false)).isZero();
    }

    @Test
    void unknownPredefinedKeyIsAProblemListingTheValidKeys() {
        String project = ApiFixtures.createProject();

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Vitals", "type", "predefined", "spec", "vitals"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("spec"))
                .body("detail", containsString("vital-signs"));
    }

    @Test
    void customSpecsAreStoredWithTheirResolvedQuery() {
        String project = ApiFixtures.createProject();

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Social History", "type", "custom", "spec", "Observation?category=social-history"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(201)
                .body("key", equalTo("social-history"))
                .body("type", equalTo("custom"))
                .body("spec", equalTo("Observation?category=social-history"))
                .body("resourceType", equalTo("Observation"))
                .body("query", equalTo("Observation?category=social-history"))
                .body("params", equalTo(Map.of()));

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Problems (custom)", "type", "custom", "spec",
                        "/Condition?category=problem-list-item"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(201)
                .body("key", equalTo("problems-custom"))
                .body("spec", equalTo("/Condition?category=problem-list-item"))
                .body("resourceType", equalTo("Condition"))
                .body("query", equalTo("Condition?category=problem-list-item"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example/Observation", "//evil/Observation", "../Patient",
            "Observation?patient=123", "Observation?subject=Patient/1", "Foo?x=1", "%2e%2e/Patient", ""})
    void unsafeCustomSpecIsAProblemOnSpecAndStoresNothing(String spec) {
        String project = ApiFixtures.createProject();

        String detail = given().contentType(ContentType.JSON)
                .body(Map.of("name", "Bad", "type", "custom", "spec", spec))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400))
                .body("errors.size()", equalTo(1))
                .body("errors[0].field", equalTo("spec"))
                .extract().jsonPath().getString("detail");

        assertThat(detail).isNotBlank();
        given().when().get("/api/projects/{key}/mappings", project)
                .then().statusCode(200).body("total", equalTo(0));
        assertThat(ConfigDatabase.mappingRows(project, false)).isZero();
        assertThat(ConfigDatabase.outboxRows(project)).isZero();
    }

    @Test
    void updateBumpsTheRevisionOnlyWhenSomethingChanged() {
        String project = ApiFixtures.createProject();
        long id = ApiFixtures.createMapping(project, "Labs", "custom", "Observation?category=laboratory");

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Labs", "type", "custom", "spec", "Observation?category=laboratory"))
                .when().put("/api/projects/{key}/mappings/{id}", project, id)
                .then().statusCode(200)
                .body("revision", equalTo(1));

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Labs", "type", "custom", "spec",
                        "Observation?category=laboratory&status=final"))
                .when().put("/api/projects/{key}/mappings/{id}", project, id)
                .then().statusCode(200)
                .body("revision", equalTo(2))
                .body("query", equalTo("Observation?category=laboratory&status=final"));

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Laboratory", "type", "predefined", "spec", "laboratory"))
                .when().put("/api/projects/{key}/mappings/{id}", project, id)
                .then().statusCode(200)
                .body("revision", equalTo(3))
                .body("key", equalTo("laboratory"))
                .body("type", equalTo("predefined"));

        given().when().get("/api/projects/{key}/mappings/{id}", project, id)
                .then().statusCode(200)
                .body("revision", equalTo(3));
    }

    @Test
    void invalidUpdateChangesNothing() {
        String project = ApiFixtures.createProject();
        long id = ApiFixtures.createMapping(project, "Labs", "custom", "Observation?category=laboratory");

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Labs", "type", "custom", "spec", "Observation?patient=1"))
                .when().put("/api/projects/{key}/mappings/{id}", project, id)
                .then().statusCode(400)
                .body("errors[0].field", equalTo("spec"));

        given().when().get("/api/projects/{key}/mappings/{id}", project, id)
                .then().statusCode(200)
                .body("revision", equalTo(1))
                .body("spec", equalTo("Observation?category=laboratory"));
    }

    @Test
    void deletedMappingIsHiddenButKept() {
        String project = ApiFixtures.createProject();
        long kept = ApiFixtures.createMapping(project, "Vitals", "predefined", "vital-signs");
        long deleted = ApiFixtures.createMapping(project, "Labs", "predefined", "laboratory");

        given().when().delete("/api/projects/{key}/mappings/{id}", project, deleted).then().statusCode(204);

        JsonPath list = given().when().get("/api/projects/{key}/mappings", project)
                .then().statusCode(200).body("total", equalTo(1)).extract().jsonPath();
        assertThat(list.getList("items.id", Long.class)).containsExactly(kept);
        given().when().get("/api/projects/{key}/mappings/{id}", project, deleted)
                .then().statusCode(404).contentType(Problem.MEDIA_TYPE);
        given().when().delete("/api/projects/{key}/mappings/{id}", project, deleted).then().statusCode(404);
        assertThat(ConfigDatabase.mappingRows(project, true)).isEqualTo(1);
    }

    @Test
    void keyClashAmongActiveMappingsIsAConflictThatNamesTheKey() {
        String project = ApiFixtures.createProject();
        long first = ApiFixtures.createMapping(project, "Vitals", "predefined", "vital-signs");

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Vitals again", "type", "predefined", "spec", "vital-signs"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("'vital-signs'"));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Vital Signs", "type", "custom", "spec", "Observation?category=vital-signs"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(409);

        given().when().delete("/api/projects/{key}/mappings/{id}", project, first).then().statusCode(204);
        ApiFixtures.createMapping(project, "Vitals again", "predefined", "vital-signs");
    }

    @Test
    void renamingOntoAnotherMappingsKeyIsAConflict() {
        String project = ApiFixtures.createProject();
        ApiFixtures.createMapping(project, "Notes A", "custom", "DocumentReference");
        long second = ApiFixtures.createMapping(project, "Notes B", "custom", "DocumentReference");

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Notes A", "type", "custom", "spec", "DocumentReference"))
                .when().put("/api/projects/{key}/mappings/{id}", project, second)
                .then().statusCode(409)
                .body("detail", containsString("'notes-a'"));
    }

    @Test
    void unknownProjectIsNotFound() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Vitals", "type", "predefined", "spec", "vital-signs"))
                .when().post("/api/projects/{key}/mappings", "no-such-project")
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
        given().when().get("/api/projects/{key}/mappings", "no-such-project")
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void malformedJsonIsAProblem() {
        String project = ApiFixtures.createProject();

        given().contentType(ContentType.JSON).body("{\"name\": \"x\", \"type\": ")
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400))
                .body("title", not(nullValue()));
        given().contentType(ContentType.JSON).body("[1, 2]")
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void missingTypeIsAProblemOnType() {
        String project = ApiFixtures.createProject();

        given().contentType(ContentType.JSON).body(Map.of("name", "x", "spec", "Observation"))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", equalTo(List.of("type")));
    }

    @Test
    void catalogListsThePredefinedMappings() {
        given().when().get("/api/catalog/predefined")
                .then().statusCode(200)
                .body("size()", equalTo(23))
                .body("[0].key", equalTo("demographics"))
                .body("[0].search", equalTo("Patient"))
                .body("find { it.key == 'adverse-events' }.search", equalTo("AdverseEvent?study={study}"))
                .body("find { it.key == 'clinical-notes' }.name", equalTo("Clinical notes"));
    }
}
