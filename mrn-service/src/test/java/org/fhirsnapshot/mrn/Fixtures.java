package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.restassured.common.mapper.TypeRef;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.MappingDefinition;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;

/** Test data and calls shared by the tests: each test uses its own project key. */
final class Fixtures {

    static final long FHIR_SYSTEM_ID = 7;

    private Fixtures() {
    }

    static String newProjectKey() {
        return "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static MappingDefinition vitalSigns(long id, int revision) {
        return new MappingDefinition(id, revision, "Vital Signs", "vital-signs-" + id, "predefined", "vital-signs",
                Map.of(), "Observation", "Observation?category=vital-signs");
    }

    static MappingDefinition socialHistory(long id, int revision) {
        return new MappingDefinition(id, revision, "Social History " + id, "social-history-" + id, "custom",
                "Observation?category=social-history", Map.of(), "Observation",
                "Observation?category=social-history");
    }

    static ReconcileReport reconcile(String projectKey, List<MappingDefinition> mappings) {
        return given().contentType(ContentType.JSON).body(new ReconcileRequest(FHIR_SYSTEM_ID, mappings))
                .post("/internal/projects/{key}/reconcile", projectKey).then().statusCode(200).extract()
                .as(ReconcileReport.class);
    }

    static List<ClaimedInstance> claim(List<Long> instanceIds, int leaseSeconds) {
        return given().contentType(ContentType.JSON)
                .body(new ClaimRequest(instanceIds, "test-worker", leaseSeconds)).post("/internal/instances/claim")
                .then().statusCode(200).extract().as(new TypeRef<List<ClaimedInstance>>() {
                });
    }

    static List<Long> instanceIds(String projectKey) {
        return TestDatabase.queryLongs("select id from instance where project_key = ? order by id", projectKey);
    }

    static List<Long> instanceIds(String projectKey, String status) {
        return TestDatabase.queryLongs("select id from instance where project_key = ? and status = ? order by id",
                projectKey, status);
    }

    static void sendResult(FetchResult result) {
        TestKafka.produce(Topics.FETCH_RESULT, Long.toString(result.instanceId()), TestKafka.json(result));
    }

    /** Sends a result and waits until mrn-service applied it. */
    static void applyResult(FetchResult result) {
        sendResult(result);
        String expected = result.outcome().name();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> expected.equals(TestDatabase.statuses(List.of(result.instanceId()))
                        .get(result.instanceId())));
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return TestKafka.JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
