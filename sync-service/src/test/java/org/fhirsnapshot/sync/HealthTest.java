package org.fhirsnapshot.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Test
    void readinessChecksKafkaAndTheDatabase() {
        List<String> checks = given().get("/q/health/ready").then().statusCode(200).extract().jsonPath()
                .getList("checks.name", String.class);

        assertThat(checks).anyMatch(name -> name.contains("Kafka") || name.contains("Reactive Messaging"));
        assertThat(checks).anyMatch(name -> name.contains("PostgreSQL") || name.contains("Database"));
    }

    @Test
    void metricsExposeTaskRunsInPrometheusFormat() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics).contains("fhir_snapshot_tasks_running");
    }
}
