package org.fhirsnapshot.fetch.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.fetch.FhirJson;
import org.fhirsnapshot.fetch.OperationOutcomeClassifier;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole consumer path with the real neighbours: config-service and mrn-service run as processes from their
 * jars against this JVM's Kafka and PostgreSQL, the FHIR sandbox runs in this JVM. A project is set up as a user
 * would, reconciled as sync-service would, and every instance must end as the sandbox's ground truth says, with
 * the payloads in the shared payload store. PostgreSQL is started by ServiceProcessTestResource for the two
 * services; the worker has no datasource, so it does not declare PostgresTestResource's datasource properties.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service"))
class SnapshotFlowTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final String DEMOGRAPHICS = "Patient";
    private static FhirSandbox sandbox;

    @BeforeAll
    static void startSandbox() {
        sandbox = FhirSandbox.start(0);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void snapshotsTheDemoCohortAsTheGroundTruthSays() throws IOException {
        String project = "fetch-" + UUID.randomUUID().toString().substring(0, 8);
        GroundTruth truth = sandbox.cohort().groundTruth();
        long systemId = registerSandbox();
        createProject(project, systemId);
        long laboratory = addMapping(project, "Laboratory", "laboratory");
        addMapping(project, "Demographics", "demographics");
        List<String> mrns = sandbox.cohort().demoMrns();
        given().baseUri(mrnService()).contentType(ContentType.JSON).body(Map.of("mrns", mrns))
                .post("/api/projects/{key}/mrns", project).then().statusCode(200);

        reconcileAsSyncServiceWould(project);

        int expected = mrns.size() * 2;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<Map<String, Object>> instances = instances(project);
            assertThat(instances).hasSize(expected);
            assertThat(instances).allSatisfy(instance -> assertThat(instance.get("status"))
                    .as("instance %s", instance.get("id")).isIn("completed", "failed"));
        });

        FileSystemPayloadStore store = new FileSystemPayloadStore(Path.of(ConfigProvider.getConfig()
                .getValue("fhir-snapshot.payload-store.directory", String.class)));
        for (Map<String, Object> instance : instances(project)) {
            PatientTruth patient = truth.patient((String) instance.get("mrn"));
            String search = ((Number) instance.get("mappingId")).longValue() == laboratory
                    ? LABORATORY
                    : DEMOGRAPHICS;
            String what = patient.mrn() + " " + search;
            if (!patient.exists()) {
                assertThat(instance).as(what).containsEntry("status", "failed")
                        .containsEntry("errorClass", "not_found").containsEntry("protected", false);
                assertThat((String) instance.get("error")).doesNotContain(patient.mrn());
            } else if (patient.restricted() && search.equals(LABORATORY)) {
                assertThat(instance).as(what).containsEntry("status", "failed")
                        .containsEntry("errorClass", "protected").containsEntry("protected", true);
            } else {
                assertThat(instance).as(what).containsEntry("status", "completed");
                List<String> expectedIds = truth.expectedIds(patient.mrn(), search);
                JsonNode bundle = payload(store, (String) instance.get("payloadRef"));
                assertThat(clinicalIds(bundle)).as(what).containsExactlyElementsOf(expectedIds);
                assertThat(bundle.path("total").asInt()).as(what).isEqualTo(expectedIds.size());
                @SuppressWarnings("unchecked")
                Map<String, Object> pagination = (Map<String, Object>) instance.get("pagination");
                assertThat(((Number) pagination.get("resources")).intValue()).as(what).isEqualTo(expectedIds.size());
                if (expectedIds.isEmpty()) {
                    assertThat(((Number) pagination.get("outcomeEntries")).intValue()).as(what).isEqualTo(1);
                    assertThat(bundle.path("entry").get(0).path("search").path("mode").asText()).isEqualTo("outcome");
                }
                if (expectedIds.size() == 2_500) {
                    assertThat(((Number) pagination.get("pages")).intValue()).as(what).isEqualTo(25);
                }
            }
        }
        redeliveringEveryMessageChangesNothing(project);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .containsPattern(
                        "fhir_snapshot_fetch_results_total\\{error_class=\"protected\",fhir_system_id=\"[0-9]+\","
                                + "outcome=\"failed\"}")
                .containsPattern("fhir_snapshot_fetch_results_total\\{error_class=\"none\",fhir_system_id=\"[0-9]+\","
                        + "outcome=\"completed\"}")
                .containsPattern("fhir_snapshot_fetch_duration_seconds_count\\{fhir_system_id=\"[0-9]+\",outcome=")
                .containsPattern("fhir_snapshot_ehr_responses_total\\{fhir_system_id=\"[0-9]+\",status=\"2xx\"}")
                // Consumer lag of pending-resource through Micrometer's Kafka binder (the KEDA/alert metric).
                .containsPattern(
                        "kafka_consumer_fetch_manager_records_lag_max\\{client_id=\"kafka-consumer-pending-resource\"");
        // No PHI in any label: not an MRN of the cohort, not a patient id, not the EHR's URL.
        List<String> labelValues = Pattern.compile("=\"([^\"]*)\"").matcher(metrics).results()
                .map(match -> match.group(1)).distinct().toList();
        assertThat(labelValues).as("label values").doesNotContainAnyElementsOf(mrns)
                .noneMatch(value -> value.contains(sandbox.baseUrl()));
        assertThat(labelValues).doesNotContainAnyElementsOf(truth.patients().stream()
                .map(PatientTruth::patientId).filter(java.util.Objects::nonNull).toList());
    }

    @Test
    void sendsAMalformedMessageToTheDeadLetterTopicUnchanged() {
        String key = "malformed-" + UUID.randomUUID();
        byte[] garbage = ("{\"schemaVersion\":1,\"instanceId\":\"not a number " + key + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties())) {
            producer.send(new ProducerRecord<>(Topics.PENDING_RESOURCE, key, garbage));
            producer.send(new ProducerRecord<>(Topics.PENDING_RESOURCE, key + "-empty", new byte[0]));
            producer.flush();
        }

        List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            consumer.subscribe(List.of(Topics.PENDING_RESOURCE + Topics.DEAD_LETTER_SUFFIX));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(deadLetters::add);
                assertThat(deadLetters).extracting(ConsumerRecord::key).contains(key, key + "-empty");
            });
        }
        ConsumerRecord<String, byte[]> dead = deadLetters.stream().filter(r -> key.equals(r.key())).findFirst()
                .orElseThrow();
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .isEqualTo("the value is not a PendingResource JSON object");
    }

    @Test
    void readinessReportsKafka() {
        String health = given().get("/q/health/ready").then().statusCode(200).extract().asString();

        assertThat(health).contains("Kafka").contains("\"status\": \"UP\"");
    }

    /**
     * Every instance's pending-resource message delivered again (as after a crash before the commit): the worker
     * consumes them all, claims nothing (no instance is pending) and no instance changes.
     */
    private static void redeliveringEveryMessageChangesNothing(String project) {
        List<Map<String, Object>> before = instances(project);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties())) {
            for (Map<String, Object> instance : before) {
                String id = String.valueOf(instance.get("id"));
                byte[] message = ("{\"schemaVersion\":1,\"instanceId\":" + id + ",\"projectKey\":\"" + project
                        + "\",\"attempt\":1}").getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(Topics.PENDING_RESOURCE, id, message));
            }
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(SnapshotFlowTest::workerCommittedEverything);
        assertThat(instances(project)).containsExactlyInAnyOrderElementsOf(before);
    }

    /** Whether the fetch-worker group has committed every pending-resource message produced so far. */
    private static boolean workerCommittedEverything() throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap());
        try (Admin admin = Admin.create(properties)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("fetch-worker")
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.PENDING_RESOURCE)).allTopicNames().get()
                    .get(Topics.PENDING_RESOURCE).partitions()
                    .forEach(p -> latest.put(new TopicPartition(Topics.PENDING_RESOURCE, p.partition()),
                            OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().entrySet().stream()
                    .allMatch(end -> end.getValue().offset() == 0 || committed.get(end.getKey()) != null
                            && committed.get(end.getKey()).offset() >= end.getValue().offset());
        }
    }

    private static long registerSandbox() {
        Map<String, Object> body = Map.of("name", "sandbox " + UUID.randomUUID(), "baseUrl", sandbox.baseUrl(),
                "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM, "auth", Map.of("type", "none"),
                "limits", Map.of("maxConcurrency", 4, "pageSize", 100));
        return given().baseUri(configService()).contentType(ContentType.JSON).body(body).post("/api/fhir-systems")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static void createProject(String key, long systemId) {
        given().baseUri(configService()).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Fetch worker test", "fhirSystemId", systemId, "enabled", true))
                .post("/api/projects").then().statusCode(201);
    }

    private static long addMapping(String project, String name, String catalogKey) {
        return given().baseUri(configService()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "type", "predefined", "spec", catalogKey))
                .post("/api/projects/{key}/mappings", project).then().statusCode(201).extract().jsonPath()
                .getLong("id");
    }

    /** What sync-service does after a change: the project's active mappings, handed to mrn-service. */
    private static void reconcileAsSyncServiceWould(String project) {
        Map<String, Object> mappings = given().baseUri(configService()).get("/internal/projects/{key}/mappings",
                project).then().statusCode(200).extract().jsonPath().getMap("$");
        Map<String, Object> request = new HashMap<>();
        request.put("fhirSystemId", mappings.get("fhirSystemId"));
        request.put("mappings", mappings.get("mappings"));
        given().baseUri(mrnService()).contentType(ContentType.JSON).body(request)
                .post("/internal/projects/{key}/reconcile", project).then().statusCode(200);
    }

    private static List<Map<String, Object>> instances(String project) {
        return given().baseUri(mrnService()).queryParam("size", 1000).get("/api/projects/{key}/instances", project)
                .then().statusCode(200).extract().jsonPath().getList("items");
    }

    private static JsonNode payload(FileSystemPayloadStore store, String ref) throws IOException {
        assertThat(ref).startsWith("sha256:");
        try (InputStream in = store.open(ref)) {
            return FhirJson.parse(in.readAllBytes()).orElseThrow();
        }
    }

    private static List<String> clinicalIds(JsonNode bundle) {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : bundle.path("entry")) {
            if (!OperationOutcomeClassifier.isOutcomeEntry(entry)) {
                ids.add(entry.path("resource").path("resourceType").asText() + "/"
                        + entry.path("resource").path("id").asText());
            }
        }
        return ids;
    }

    /** Read from the configuration: the test resources' statics may live in another class loader. */
    private static String kafkaBootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static String configService() {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client.config-service.url", String.class);
    }

    private static String mrnService() {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client.mrn-service.url", String.class);
    }

    private static Properties producerProperties() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return properties;
    }

    private static Properties consumerProperties() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "fetch-worker-test-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }
}
