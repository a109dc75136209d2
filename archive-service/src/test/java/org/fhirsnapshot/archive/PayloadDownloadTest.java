package org.fhirsnapshot.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/projects/{key}/payloads/{instanceId}}: one instance's payload as fetch-worker stored it, from a real
 * snapshot (config-service, mrn-service and fetch-worker as processes, the FHIR sandbox in this JVM) of three MRNs ×
 * the laboratory mapping: a small chart, a chart of thousands of results (a payload far larger than any buffer), and
 * an MRN the EHR does not know (failed, no payload). The snapshot is made once for the class; tests only read it.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "archive"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service,fetch-worker"))
class PayloadDownloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABORATORY = "Observation?category=laboratory";
    private static final String FHIR_JSON = "application/fhir+json";

    private static FhirSandbox sandbox;
    private static String project;
    private static List<Instance> instances;

    /** One instance of the snapshot as mrn-service lists it to an admin. */
    private record Instance(long id, String mrn, String status, String payloadRef) {
    }

    @BeforeAll
    static void snapshotThreeCharts() {
        sandbox = FhirSandbox.start(0);
        project = "payload-" + UUID.randomUUID().toString().substring(0, 8);
        instances = snapshot();
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void aPayloadIsTheStoredBundleByteForByteAsFhirJson() throws IOException {
        long largest = 0;
        for (Instance instance : completed()) {
            Response response = given().header("Authorization", exporter())
                    .when().get("/api/projects/{key}/payloads/{id}", project, instance.id())
                    .then().statusCode(200)
                    .contentType(FHIR_JSON)
                    .header("Cache-Control", "no-store")
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Disposition", "inline; filename=\"payload-" + instance.id() + ".json\"")
                    .extract().response();
            byte[] body = response.asByteArray();

            byte[] stored;
            try (InputStream in = store().open(instance.payloadRef())) {
                stored = in.readAllBytes();
            }
            assertThat(body).as("instance %d", instance.id()).isEqualTo(stored);
            assertThat("sha256:" + sha256(body)).isEqualTo(instance.payloadRef());
            // What the sandbox served for this MRN's laboratory search, every resource once.
            assertThat(resourceIds(body)).containsExactlyInAnyOrderElementsOf(
                    truth(instance.mrn()).resourceIdsBySearch().getOrDefault(LABORATORY, List.of()));
            assertThat(response.header("X-Download-Id")).isNotBlank();
            largest = Math.max(largest, body.length);
        }
        assertThat(largest).as("one payload is far larger than the response buffer").isGreaterThan(256 * 1024);
    }

    @Test
    void aPayloadDownloadIsRecordedAsOnePayloadWithoutTheMrn() {
        Instance instance = completed().get(0);
        Response response = given().header("Authorization", exporter())
                .when().get("/api/projects/{key}/payloads/{id}", project, instance.id())
                .then().statusCode(200).extract().response();
        long downloadId = Long.parseLong(response.header("X-Download-Id"));
        int length = response.asByteArray().length;

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode record = download(downloadId);
            assertThat(record.path("status").asText()).isEqualTo("completed");
            assertThat(record.path("files").asInt()).isEqualTo(1);
            assertThat(record.path("bytes").asLong()).isEqualTo(length);
            assertThat(record.path("downloadedBy").asText()).isEqualTo("test-exporter");
            assertThat(record.path("finishedAt").asText()).isNotBlank();
            JsonNode filters = record.path("filters");
            assertThat(filters.path("format").asText()).isEqualTo("payload");
            assertThat(filters.path("instanceId").asLong()).isEqualTo(instance.id());
            assertThat(filters.path("mappingKey").asText()).isEqualTo("laboratory");
            assertThat(filters.path("mappingId").asLong()).isPositive();
        });
        String listing = given().header("Authorization", exporter()).queryParam("size", 200)
                .when().get("/api/projects/{key}/downloads", project).then().statusCode(200).extract().asString();
        for (Instance any : instances) {
            assertThat(listing).doesNotContain(any.mrn());
        }
    }

    @Test
    void headSaysThePayloadIsThereWithoutRecordingADownload() {
        Instance instance = completed().get(0);
        long before = downloads();

        String downloadId = given().header("Authorization", exporter())
                .when().head("/api/projects/{key}/payloads/{id}", project, instance.id())
                .then().statusCode(200).contentType(FHIR_JSON).extract().header("X-Download-Id");
        assertThat(downloadId).isNull();
        given().header("Authorization", exporter())
                .when().head("/api/projects/{key}/payloads/{id}", project, failed().id())
                .then().statusCode(404);

        assertThat(downloads()).isEqualTo(before);
    }

    @Test
    void aClientAskingForPlainJsonGetsThePayloadToo() {
        given().header("Authorization", exporter()).accept(ContentType.JSON)
                .when().get("/api/projects/{key}/payloads/{id}", project, completed().get(0).id())
                .then().statusCode(200).contentType(FHIR_JSON);
    }

    @Test
    void anInstanceWithoutAPayloadIsANotFoundProblemWithoutTheMrn() {
        long before = downloads();
        Instance failed = failed();
        long unknownId = instances.stream().mapToLong(Instance::id).max().orElseThrow() + 1_000_000;
        String other = "payload-other-" + UUID.randomUUID().toString().substring(0, 8);
        ConfigServiceProjects.createUnfetched(other, "Other " + other);

        for (String[] call : new String[][]{{project, String.valueOf(failed.id())},
                {project, String.valueOf(unknownId)}, {other, String.valueOf(completed().get(0).id())}}) {
            String body = given().when().get("/api/projects/{key}/payloads/{id}", call[0], call[1])
                    .then().statusCode(404).contentType(Problem.MEDIA_TYPE)
                    .body("detail", containsString("has no instance " + call[1] + " with a stored payload"))
                    .extract().asString();
            for (Instance any : instances) {
                assertThat(body).as("%s/%s", call[0], call[1]).doesNotContain(any.mrn());
            }
        }
        String unknownProject = "payload-none-" + UUID.randomUUID().toString().substring(0, 8);
        given().when().get("/api/projects/{key}/payloads/{id}", unknownProject, failed.id())
                .then().statusCode(404).contentType(Problem.MEDIA_TYPE)
                .body("detail", equalTo(ProjectAccessDenied.notFound(unknownProject).getMessage()));

        assertThat(downloads()).as("nothing was downloaded").isEqualTo(before);
    }

    @Test
    void aReaderMayNotTakeAPayloadAndAnotherProjectsExporterCannotSeeIt() {
        long id = completed().get(0).id();
        given().header("Authorization", "Bearer " + TestTokens.projectUser(project, "reader"))
                .when().get("/api/projects/{key}/payloads/{id}", project, id)
                .then().statusCode(403).contentType(Problem.MEDIA_TYPE);
        given().header("Authorization", "Bearer " + TestTokens.projectUser(project + "-other", "exporter"))
                .when().get("/api/projects/{key}/payloads/{id}", project, id)
                .then().statusCode(404).contentType(Problem.MEDIA_TYPE)
                .body("detail", equalTo(ProjectAccessDenied.notFound(project).getMessage()));
        given().noFilters().when().get("/api/projects/{key}/payloads/{id}", project, id)
                .then().statusCode(401).contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void aPayloadThatNoLongerMatchesItsReferenceFailsTheDownload() throws IOException {
        Instance instance = completed().stream().min((a, b) -> Long.compare(storedSize(a.payloadRef()),
                storedSize(b.payloadRef()))).orElseThrow();
        Path stored = storedFile(instance.payloadRef());
        byte[] original = Files.readAllBytes(stored);
        try {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(stored))) {
                out.write("{\"resourceType\":\"Bundle\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8));
            }
            // Smaller than the response buffer: nothing left before the check, so the client gets a problem.
            given().header("Authorization", exporter())
                    .when().get("/api/projects/{key}/payloads/{id}", project, instance.id())
                    .then().statusCode(500).contentType(Problem.MEDIA_TYPE)
                    .body("detail", containsString("quote download"));
        } finally {
            Files.write(stored, original);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                latestDownload().path("status").asText()).isEqualTo("failed"));
    }

    // --- the snapshot ----------------------------------------------------------------------------------------------

    private static List<Instance> snapshot() {
        String configUrl = ConfigServiceProjects.url("config-service");
        String mrnUrl = ConfigServiceProjects.url("mrn-service");
        String admin = "Bearer " + TestTokens.admin();
        long systemId = given().baseUri(configUrl).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("name", "Sandbox " + project, "baseUrl", sandbox.baseUrl(), "patientIdentifierSystem",
                        SandboxCohort.MRN_SYSTEM, "auth", Map.of("type", "none")))
                .when().post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
        given().baseUri(configUrl).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("key", project, "name", "Payload test", "fhirSystemId", systemId, "enabled", true))
                .when().post("/api/projects").then().statusCode(201);
        given().baseUri(configUrl).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("name", "Laboratory", "type", "predefined", "spec", "laboratory"))
                .when().post("/api/projects/{key}/mappings", project).then().statusCode(201);

        List<PatientTruth> patients = sandbox.cohort().groundTruth().patients();
        String plain = patients.stream().filter(p -> p.exists() && !p.restricted() && labs(p) >= 1 && labs(p) < 100)
                .findFirst().orElseThrow().mrn();
        String heavy = patients.stream().filter(p -> p.exists() && !p.restricted() && labs(p) >= 1_000)
                .findFirst().orElseThrow().mrn();
        String unknown = patients.stream().filter(p -> !p.exists()).findFirst().orElseThrow().mrn();
        List<String> mrns = List.of(plain, heavy, unknown);
        given().baseUri(mrnUrl).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("mrns", mrns))
                .when().post("/api/projects/{key}/mrns", project).then().statusCode(200)
                .body("added", equalTo(mrns.size()));

        // sync-service is not running: hand mrn-service the project's mappings as sync-service would.
        JsonNode projectMappings = readTree(given().baseUri(configUrl).header("Authorization", "Bearer "
                + TestTokens.service()).when().get("/internal/projects/{key}/mappings", project)
                .then().statusCode(200).extract().asByteArray());
        given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.service()).contentType(ContentType.JSON)
                .body(Map.of("fhirSystemId", projectMappings.path("fhirSystemId").asLong(), "mappings",
                        projectMappings.path("mappings")))
                .when().post("/internal/projects/{key}/reconcile", project).then().statusCode(200)
                .body("created", equalTo(mrns.size()));

        List<Instance> listed = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            listed.clear();
            JsonNode page = readTree(given().baseUri(mrnUrl).header("Authorization", admin)
                    .queryParam("size", 50).when().get("/api/projects/{key}/instances", project)
                    .then().statusCode(200).extract().asByteArray());
            page.path("items").forEach(item -> listed.add(new Instance(item.path("id").asLong(),
                    item.path("mrn").asText(), item.path("status").asText(),
                    item.hasNonNull("payloadRef") ? item.path("payloadRef").asText() : null)));
            assertThat(listed).hasSize(mrns.size())
                    .allSatisfy(i -> assertThat(i.status()).isIn("completed", "failed"));
        });
        assertThat(listed).filteredOn(i -> i.mrn().equals(unknown)).singleElement()
                .satisfies(i -> assertThat(i.payloadRef()).isNull());
        assertThat(listed).filteredOn(i -> !i.mrn().equals(unknown))
                .allSatisfy(i -> assertThat(i.status()).isEqualTo("completed"))
                .allSatisfy(i -> assertThat(i.payloadRef()).isNotNull());
        return List.copyOf(listed);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static List<Instance> completed() {
        return instances.stream().filter(i -> i.status().equals("completed")).toList();
    }

    private static Instance failed() {
        return instances.stream().filter(i -> i.status().equals("failed")).findFirst().orElseThrow();
    }

    private static String exporter() {
        return "Bearer " + TestTokens.projectUser(project, "exporter");
    }

    private static int labs(PatientTruth patient) {
        return patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size();
    }

    private static PatientTruth truth(String mrn) {
        return sandbox.cohort().groundTruth().patient(mrn);
    }

    private static long downloads() {
        return given().when().get("/api/projects/{key}/downloads", project).then().statusCode(200).extract()
                .jsonPath().getLong("total");
    }

    private static JsonNode download(long id) {
        JsonNode page = readTree(given().queryParam("size", 200).when().get("/api/projects/{key}/downloads", project)
                .then().statusCode(200).extract().asByteArray());
        for (JsonNode item : page.path("items")) {
            if (item.path("id").asLong() == id) {
                return item;
            }
        }
        throw new AssertionError("download " + id + " is not listed");
    }

    private static JsonNode latestDownload() {
        return readTree(given().queryParam("size", 1).when().get("/api/projects/{key}/downloads", project)
                .then().statusCode(200).extract().asByteArray()).path("items").get(0);
    }

    private static FileSystemPayloadStore store() {
        return new FileSystemPayloadStore(Path.of(ConfigProvider.getConfig()
                .getValue("fhir-snapshot.payload-store.directory", String.class)));
    }

    private static Path storedFile(String ref) {
        String hex = ref.substring("sha256:".length());
        return Path.of(ConfigProvider.getConfig().getValue("fhir-snapshot.payload-store.directory", String.class))
                .resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex + ".json.gz");
    }

    private static long storedSize(String ref) {
        try {
            return store().compressedSize(ref);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code Type/id} of every entry of a searchset Bundle that is not an outcome entry. */
    private static List<String> resourceIds(byte[] bundle) throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(bundle).path("entry")) {
            if ("outcome".equals(entry.path("search").path("mode").asText())) {
                continue;
            }
            JsonNode resource = entry.path("resource");
            ids.add(resource.path("resourceType").asText() + "/" + resource.path("id").asText());
        }
        return ids;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
