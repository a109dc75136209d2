package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class MappingChangedEventTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mappingCreateUpdateAndDeleteAreEachPublishedKeyedByProject() {
        try (MappingChangedTopic topic = new MappingChangedTopic()) {
            String project = ApiFixtures.createProject();
            long id = ApiFixtures.createMapping(project, "Vitals", "predefined", "vital-signs");

            List<JsonNode> created = awaitEvents(topic, project, 1);
            assertThat(created.get(0).get("schemaVersion").asInt()).isEqualTo(1);
            assertThat(created.get(0).get("projectKey").asText()).isEqualTo(project);
            assertThat(created.get(0).get("mappingId").asLong()).isEqualTo(id);
            assertThat(created.get(0).get("change").asText()).isEqualTo("created");
            assertThat(created.get(0).get("revision").asInt()).isEqualTo(1);
            assertThat(created.get(0).get("occurredAt").asText()).isNotBlank();

            given().contentType(ContentType.JSON)
                    .body(Map.of("name", "Vital signs", "type", "predefined", "spec", "vital-signs"))
                    .when().put("/api/projects/{key}/mappings/{id}", project, id)
                    .then().statusCode(200);
            List<JsonNode> updated = awaitEvents(topic, project, 2);
            assertThat(updated.get(1).get("change").asText()).isEqualTo("updated");
            assertThat(updated.get(1).get("revision").asInt()).isEqualTo(2);

            given().when().delete("/api/projects/{key}/mappings/{id}", project, id).then().statusCode(204);
            List<JsonNode> deleted = awaitEvents(topic, project, 3);
            assertThat(deleted.get(2).get("change").asText()).isEqualTo("deleted");
            assertThat(deleted.get(2).get("mappingId").asLong()).isEqualTo(id);
            assertThat(deleted.get(2).get("revision").asInt()).isEqualTo(2);

            await().atMost(Duration.ofSeconds(10)).until(() -> ConfigDatabase.outboxRows(project) == 0);
        }
    }

    @Test
    void identicalUpdateAndRejectedCreatePublishNothing() {
        try (MappingChangedTopic topic = new MappingChangedTopic()) {
            String project = ApiFixtures.createProject();
            long id = ApiFixtures.createMapping(project, "Labs", "predefined", "laboratory");
            awaitEvents(topic, project, 1);

            given().contentType(ContentType.JSON)
                    .body(Map.of("name", "Labs", "type", "predefined", "spec", "laboratory"))
                    .when().put("/api/projects/{key}/mappings/{id}", project, id)
                    .then().statusCode(200);
            given().contentType(ContentType.JSON)
                    .body(Map.of("name", "Bad", "type", "custom", "spec", "Observation?patient=1"))
                    .when().post("/api/projects/{key}/mappings", project)
                    .then().statusCode(400);
            // A later change is the marker: once it arrives, anything published before it has arrived too
            // (one partition per key, published in order).
            long marker = ApiFixtures.createMapping(project, "Vitals", "predefined", "vital-signs");

            List<JsonNode> events = awaitEvents(topic, project, 2);
            assertThat(events).extracting(event -> event.get("mappingId").asLong()).containsExactly(id, marker);
        }
    }

    private static List<JsonNode> awaitEvents(MappingChangedTopic topic, String project, int count) {
        List<ConsumerRecord<String, String>> records = await().atMost(Duration.ofSeconds(20))
                .until(() -> topic.recordsWithKey(project), found -> found.size() >= count);
        return records.stream().map(record -> {
            try {
                return JSON.readTree(record.value());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }
}
