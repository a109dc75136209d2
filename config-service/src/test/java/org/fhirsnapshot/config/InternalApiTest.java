package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class InternalApiTest {

    @Test
    void projectMappingsAreTheActiveOnesResolved() {
        long system = ApiFixtures.createSystem();
        String project = ApiFixtures.createProject(system);
        long vitals = ApiFixtures.createMapping(project, "Vitals", "predefined", "vital-signs");
        long removed = ApiFixtures.createMapping(project, "Labs", "predefined", "laboratory");
        long custom = ApiFixtures.createMapping(project, "Problem list", "custom",
                "/Condition?category=problem-list-item");
        long adverse = given().contentType(ContentType.JSON)
                .body(Map.of("name", "AEs", "type", "predefined", "spec", "adverse-events", "params",
                        Map.of("study", "RS-9")))
                .when().post("/api/projects/{key}/mappings", project)
                .then().statusCode(201).extract().jsonPath().getLong("id");
        given().when().delete("/api/projects/{key}/mappings/{id}", project, removed).then().statusCode(204);

        given().when().get("/internal/projects/{key}/mappings", project)
                .then().statusCode(200)
                .body("projectKey", equalTo(project))
                .body("fhirSystemId", equalTo((int) system))
                .body("enabled", equalTo(true))
                .body("mappings.id", contains((int) vitals, (int) custom, (int) adverse))
                .body("mappings[0].revision", equalTo(1))
                .body("mappings[0].name", equalTo("Vitals"))
                .body("mappings[0].key", equalTo("vital-signs"))
                .body("mappings[0].type", equalTo("predefined"))
                .body("mappings[0].spec", equalTo("vital-signs"))
                .body("mappings[0].resourceType", equalTo("Observation"))
                .body("mappings[0].query", equalTo("Observation?category=vital-signs"))
                .body("mappings[1].key", equalTo("problem-list"))
                .body("mappings[1].type", equalTo("custom"))
                .body("mappings[1].spec", equalTo("/Condition?category=problem-list-item"))
                .body("mappings[1].query", equalTo("Condition?category=problem-list-item"))
                .body("mappings[2].params.study", equalTo("RS-9"))
                .body("mappings[2].query", equalTo("AdverseEvent?study=RS-9"));
    }

    @Test
    void unknownProjectIsANotFoundProblem() {
        given().when().get("/internal/projects/{key}/mappings", "no-such-project")
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(404))
                .body("title", equalTo("Not found"));
    }

    @Test
    void fhirSystemSettingsCarryTheSecrets() {
        long id = ApiFixtures.createSystem(Map.of("name", "Epic", "baseUrl", "https://ehr.example.org/fhir/",
                "patientIdentifierSystem", "urn:oid:1.2.3",
                "auth", Map.of("type", "client-secret", "tokenUrl", "https://ehr.example.org/token", "clientId",
                        "client-9", "clientSecret", "the-secret", "scope", "system/*.read"),
                "limits", Map.of("maxConcurrency", 3, "requestsPerSecond", 7, "pageSize", 50)));

        given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("id", equalTo((int) id))
                .body("name", equalTo("Epic"))
                .body("baseUrl", equalTo("https://ehr.example.org/fhir"))
                .body("patientIdentifierSystem", equalTo("urn:oid:1.2.3"))
                .body("auth.type", equalTo("client-secret"))
                .body("auth.tokenUrl", equalTo("https://ehr.example.org/token"))
                .body("auth.clientId", equalTo("client-9"))
                .body("auth.clientSecret", equalTo("the-secret"))
                .body("auth.scope", equalTo("system/*.read"))
                .body("limits.maxConcurrency", equalTo(3))
                .body("limits.requestsPerSecond", equalTo(7))
                .body("limits.pageSize", equalTo(50));

        long bearer = ApiFixtures.createSystem(Map.of("name", "B", "baseUrl", "https://b.example.org/fhir",
                "auth", Map.of("type", "bearer", "token", "the-token")));
        given().when().get("/internal/fhir-systems/{id}", bearer)
                .then().statusCode(200)
                .body("auth.type", equalTo("bearer"))
                .body("auth.token", equalTo("the-token"));
    }

    @Test
    void unknownFhirSystemIsANotFoundProblem() {
        given().when().get("/internal/fhir-systems/{id}", 987654321)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
    }
}
