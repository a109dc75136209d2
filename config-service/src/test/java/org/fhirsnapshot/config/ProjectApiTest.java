package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

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
class ProjectApiTest {

    @Test
    void projectIsCreatedAndReadBack() {
        long system = ApiFixtures.createSystem();
        String key = ApiFixtures.uniqueKey("cohort");

        given().contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Cohort A", "fhirSystemId", system, "enabled", true))
                .when().post("/api/projects")
                .then().statusCode(201)
                .header("Location", containsString("/api/projects/" + key))
                .body("key", equalTo(key))
                .body("name", equalTo("Cohort A"))
                .body("fhirSystemId", equalTo((int) system))
                .body("enabled", equalTo(true))
                .body("createdAt", not(nullValue()));

        given().when().get("/api/projects/{key}", key)
                .then().statusCode(200)
                .body("name", equalTo("Cohort A"));
    }

    @Test
    void duplicateKeyIsAConflict() {
        long system = ApiFixtures.createSystem();
        String key = ApiFixtures.createProject(system);

        given().contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Again", "fhirSystemId", system, "enabled", false))
                .when().post("/api/projects")
                .then().statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString(key));
    }

    @Test
    void unknownFhirSystemIsAProblemOnThatField() {
        given().contentType(ContentType.JSON)
                .body(Map.of("key", ApiFixtures.uniqueKey("p"), "name", "X", "fhirSystemId", 987654321, "enabled",
                        true))
                .when().post("/api/projects")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("fhirSystemId"))
                .body("detail", containsString("987654321"));
    }

    @Test
    void malformedKeyIsAProblemOnThatField() {
        long system = ApiFixtures.createSystem();
        for (String key : new String[]{"Upper", "has space", "a".repeat(65), ""}) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("key", key, "name", "X", "fhirSystemId", system, "enabled", true))
                    .when().post("/api/projects")
                    .then().statusCode(400)
                    .contentType(Problem.MEDIA_TYPE)
                    .body("errors.field", hasItem("key"));
        }
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "X", "fhirSystemId", system, "enabled", true))
                .when().post("/api/projects")
                .then().statusCode(400)
                .body("errors.field", hasItem("key"));
    }

    @Test
    void updateChangesNameSystemAndEnabledButNotTheKey() {
        String key = ApiFixtures.createProject();
        long otherSystem = ApiFixtures.createSystem();

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Renamed", "fhirSystemId", otherSystem, "enabled", false))
                .when().put("/api/projects/{key}", key)
                .then().statusCode(200)
                .body("key", equalTo(key))
                .body("name", equalTo("Renamed"))
                .body("fhirSystemId", equalTo((int) otherSystem))
                .body("enabled", equalTo(false));

        given().contentType(ContentType.JSON)
                .body(Map.of("key", "other-key", "name", "Renamed", "fhirSystemId", otherSystem, "enabled", false))
                .when().put("/api/projects/{key}", key)
                .then().statusCode(400)
                .body("errors.field", hasItem("key"));
    }

    @Test
    void unknownProjectIsNotFound() {
        given().when().get("/api/projects/{key}", "no-such-project")
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(404))
                .body("detail", containsString("no-such-project"));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "X", "fhirSystemId", ApiFixtures.createSystem(), "enabled", true))
                .when().put("/api/projects/{key}", "no-such-project")
                .then().statusCode(404);
    }

    @Test
    void listIsPagedWithTotal() {
        long system = ApiFixtures.createSystem();
        ApiFixtures.createProject(system);
        ApiFixtures.createProject(system);

        given().queryParam("page", 0).queryParam("size", 1)
                .when().get("/api/projects")
                .then().statusCode(200)
                .body("page", equalTo(0))
                .body("size", equalTo(1))
                .body("items.size()", equalTo(1))
                .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(2));
    }

    @Test
    void malformedJsonIsAProblem() {
        given().contentType(ContentType.JSON).body("{\"key\": \"x\", ")
                .when().post("/api/projects")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400));
    }
}
