package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.Map;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class FhirSystemTimeoutsApiTest {

    @Test
    void timeoutsAreStoredShownAndPassedToTheWorker() {
        long id = ApiFixtures.createSystem(Map.of("name", "Slow EHR", "baseUrl", "https://ehr.example.org/fhir",
                "timeouts", Map.of("connectSeconds", 5, "readSeconds", 120)));

        given().when().get("/api/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("timeouts.connectSeconds", equalTo(5))
                .body("timeouts.readSeconds", equalTo(120))
                .body("timeouts.totalSeconds", nullValue())
                .body("timeouts", org.hamcrest.Matchers.hasKey("totalSeconds"));
        given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("timeouts.connectSeconds", equalTo(5))
                .body("timeouts.readSeconds", equalTo(120))
                .body("timeouts.totalSeconds", equalTo(0));
    }

    @Test
    void systemWithoutTimeoutsLeavesThemToTheWorker() {
        long id = ApiFixtures.createSystem();

        given().when().get("/api/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("timeouts.connectSeconds", nullValue())
                .body("timeouts.readSeconds", nullValue())
                .body("timeouts.totalSeconds", nullValue());
        given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("timeouts.connectSeconds", equalTo(0))
                .body("timeouts.readSeconds", equalTo(0))
                .body("timeouts.totalSeconds", equalTo(0));
    }

    @Test
    void updateReplacesTheTimeouts() {
        long id = ApiFixtures.createSystem(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir",
                "timeouts", Map.of("connectSeconds", 5, "readSeconds", 60, "totalSeconds", 600)));

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "timeouts",
                        Map.of("totalSeconds", 86400)))
                .when().put("/api/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("timeouts.connectSeconds", nullValue())
                .body("timeouts.readSeconds", nullValue())
                .body("timeouts.totalSeconds", equalTo(86400));
        given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("timeouts.connectSeconds", equalTo(0))
                .body("timeouts.totalSeconds", equalTo(86400));
    }

    @Test
    void timeoutsOutOfRangeAreAProblemNamingEachField() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "timeouts",
                        Map.of("connectSeconds", 301, "readSeconds", 0, "totalSeconds", 86401)))
                .when().post("/api/fhir-systems")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("timeouts.connectSeconds", "timeouts.readSeconds",
                        "timeouts.totalSeconds"))
                .body("detail", containsString("timeouts.connectSeconds must be 1 to 300 seconds"))
                .body("detail", containsString("timeouts.readSeconds must be 1 to 3600 seconds"))
                .body("detail", containsString("timeouts.totalSeconds must be 1 to 86400 seconds"));

        Map<String, Object> negative = new HashMap<>(Map.of("name", "EHR", "baseUrl",
                "https://ehr.example.org/fhir", "timeouts", Map.of("readSeconds", -5)));
        given().contentType(ContentType.JSON).body(negative)
                .when().post("/api/fhir-systems")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("timeouts.readSeconds"));
    }
}
