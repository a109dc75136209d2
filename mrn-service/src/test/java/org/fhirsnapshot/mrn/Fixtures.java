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
import org.eclipse.microprofile.config.ConfigProvider;
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

    /** Reconciles and answers the contract's view of the result (what sync-service reads). */
    static ReconcileReport reconcile(String projectKey, List<MappingDefinition> mappings) {
        return reconcileResult(projectKey, mappings).toReport();
    }

    /** Reconciles and answers mrn-service's full result (with reused and byMapping). */
    static ReconcileResult reconcileResult(String projectKey, List<MappingDefinition> mappings) {
        return given().contentType(ContentType.JSON).body(new ReconcileRequest(FHIR_SYSTEM_ID, mappings))
                .post("/internal/projects/{key}/reconcile", projectKey).then().statusCode(200).extract()
                .as(ReconcileResult.class);
    }

    /** Creates a FHIR system and a project in the real config-service; returns the project key. */
    static String projectInConfigService() {
        String configService = ConfigProvider.getConfig().getValue("quarkus.rest-client.config-service.url",
                String.class);
        long systemId = given().baseUri(configService).contentType(ContentType.JSON)
                .body(Map.of("name", "Sandbox", "baseUrl", "http://127.0.0.1:9/fhir", "auth", Map.of("type", "none")))
                .post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
        String key = newProjectKey();
        given().baseUri(configService).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Cohort " + key, "fhirSystemId", systemId, "enabled", true))
                .post("/api/projects").then().statusCode(201);
        return key;
    }

    /** The active instance of one MRN x mapping. */
    static long activeInstance(String projectKey, String mrn, long mappingId) {
        return TestDatabase.queryLongs("""
                select i.id from instance i join mrn m on m.id = i.mrn_id
                where i.project_key = ? and m.mrn = ? and i.mapping_id = ? and i.status not in ('outdated', 'deleted')
                """, projectKey, mrn, mappingId).get(0);
    }

    /** Asks for a sweep, as sync-service's sweeper does. */
    static SweepReport sweep() {
        return given().post("/internal/sweep").then().statusCode(200).extract().as(SweepReport.class);
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
