package org.fhirsnapshot.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.S3PayloadStore;
import org.fhirsnapshot.payload.S3StoreSettings;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.testinfra.S3ProxyTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The archive read from an S3 bucket (a real S3 API: S3Proxy, started by {@link S3ProxyTestResource}). A snapshot
 * is made as {@link ArchiveDownloadTest} makes it (config-service, mrn-service and fetch-worker as processes, the FHIR
 * sandbox), then its payloads are written into the bucket through {@link S3PayloadStore}, as a fetch-worker with
 * {@code type=s3} would write them. This class has its own profile, so its Quarkus boot reads the bucket
 * ({@code fhir-snapshot.payload-store.type=s3}) while the other classes read the directory.
 */
@QuarkusTest
@TestProfile(ArchiveOnS3Test.OnS3.class)
class ArchiveOnS3Test {

    /** The payload store of this class's boot is the S3 bucket. */
    public static class OnS3 implements QuarkusTestProfile {

        static final String BUCKET = "archive-payloads";

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ProxyTestResource.class, Map.of("bucket", BUCKET)));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABORATORY = "laboratory";

    private static FhirSandbox sandbox;
    private static String project;
    /** The stored payloads of the snapshot, as the fetch-worker wrote them and as the bucket now holds them. */
    private static Set<String> refs;

    @Inject
    PayloadStore store;

    @BeforeAll
    static void snapshotIntoTheBucket() throws IOException {
        sandbox = FhirSandbox.start(0);
        project = snapshot();
        refs = payloadRefs(project);
        assertThat(refs).isNotEmpty();
        FileSystemPayloadStore fetched = new FileSystemPayloadStore(ServiceProcessTestResource.payloadDirectory());
        try (S3PayloadStore bucket = S3PayloadStore.connect(new S3StoreSettings(
                Optional.of(S3ProxyTestResource.endpoint()), S3ProxyTestResource.REGION, OnS3.BUCKET, "", true,
                Optional.of(S3ProxyTestResource.ACCESS_KEY_ID), Optional.of(S3ProxyTestResource.SECRET_ACCESS_KEY),
                Optional.of(Files.createTempDirectory("archive-s3-spool")), S3StoreSettings.DEFAULT_MULTIPART_THRESHOLD,
                S3StoreSettings.DEFAULT_PART_SIZE))) {
            for (String ref : refs) {
                try (InputStream payload = fetched.open(ref)) {
                    assertThat(bucket.write(payload).ref()).isEqualTo(ref);
                }
            }
        }
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void aJsonArchiveFromTheBucketHasItsLengthResumesByteIdenticallyAndVerifies() throws IOException {
        assertThat(store).isInstanceOf(S3PayloadStore.class);

        Response full = given().when().get("/api/projects/{key}/archive", project).then()
                .statusCode(200)
                .contentType("application/zip")
                .header("Accept-Ranges", "bytes")
                .extract().response();
        byte[] whole = full.asByteArray();
        String etag = full.header("ETag");
        assertThat(full.header("Content-Length")).isEqualTo(String.valueOf(whole.length));
        assertThat(etag).matches("\"[0-9a-f]{64}\"");
        // java.util.zip and unzip -t agree, manifest.sha256 and every file's SHA-256 and size hold.
        Map<String, byte[]> zip = ZipChecks.open(whole);
        JsonNode manifest = JSON.readTree(zip.get("manifest.json"));
        assertThat(manifest.path("counts").path("files").asInt()).isEqualTo(4);
        assertThat(manifest.path("failed")).isEmpty();
        FileSystemPayloadStore fetched = new FileSystemPayloadStore(ServiceProcessTestResource.payloadDirectory());
        for (JsonNode file : manifest.path("files")) {
            // Each file is the payload the fetch-worker stored, byte for byte, copied raw from the bucket.
            try (InputStream stored = fetched.open("sha256:" + file.path("sha256").asText())) {
                assertThat(zip.get(file.path("path").asText())).isEqualTo(stored.readAllBytes());
            }
        }

        // Resumed from the middle of the largest payload's deflate stream: a ranged read of its object.
        int cut = middleOfLargestEntry(whole);
        Response rest = given().header("Range", "bytes=" + cut + "-").header("If-Range", etag)
                .when().get("/api/projects/{key}/archive", project).then()
                .statusCode(206)
                .header("Content-Range", "bytes " + cut + "-" + (whole.length - 1) + "/" + whole.length)
                .extract().response();
        byte[] tail = rest.asByteArray();
        assertThat(rest.header("Content-Length")).isEqualTo(String.valueOf(whole.length - cut));
        byte[] resumed = Arrays.copyOf(whole, cut + tail.length);
        System.arraycopy(tail, 0, resumed, cut, tail.length);
        assertThat(resumed).isEqualTo(whole);
    }

    @Test
    void anNdjsonArchiveFromTheBucketHoldsEveryResource() throws IOException {
        Map<String, byte[]> zip = ZipChecks.open(given().queryParam("format", "ndjson")
                .when().get("/api/projects/{key}/archive", project).then()
                .statusCode(200).header("Accept-Ranges", "none").extract().asByteArray());
        JsonNode manifest = JSON.readTree(zip.get("manifest.json"));
        assertThat(manifest.path("sources")).hasSize(4);
        long lines = new String(zip.get("Observation.ndjson"), java.nio.charset.StandardCharsets.UTF_8)
                .lines().count();
        assertThat(lines).isPositive().isEqualTo(manifest.path("counts").path("resources").asLong());
    }

    @Test
    void readinessChecksTheBucket() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** An offset half-way through the stored data of the archive's largest entry. */
    private static int middleOfLargestEntry(byte[] zip) throws IOException {
        try (org.apache.commons.compress.archivers.zip.ZipFile file = org.apache.commons.compress.archivers.zip.ZipFile
                .builder().setSeekableByteChannel(
                        new org.apache.commons.compress.utils.SeekableInMemoryByteChannel(zip))
                .get()) {
            var largest = java.util.Collections.list(file.getEntries()).stream()
                    .max(java.util.Comparator.comparingLong(
                            org.apache.commons.compress.archivers.zip.ZipArchiveEntry::getCompressedSize))
                    .orElseThrow();
            assertThat(largest.getName()).endsWith(".json").doesNotStartWith("manifest");
            return (int) (largest.getDataOffset() + largest.getCompressedSize() / 2);
        }
    }

    // --- the snapshot ----------------------------------------------------------------------------------------------

    /** A project of two MRNs with laboratory results × two mappings, fetched; returns its key. */
    private static String snapshot() {
        String configUrl = url("config-service");
        String mrnUrl = url("mrn-service");
        String key = "archive-s3-" + UUID.randomUUID().toString().substring(0, 8);
        long systemId = given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.admin())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Sandbox " + key, "baseUrl", sandbox.baseUrl(), "patientIdentifierSystem",
                        SandboxCohort.MRN_SYSTEM, "auth", Map.of("type", "none")))
                .when().post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
        given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.admin()).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Archive on S3 " + key, "fhirSystemId", systemId, "enabled", true))
                .when().post("/api/projects").then().statusCode(201);
        for (String[] mapping : new String[][]{{"Laboratory", LABORATORY}, {"Vital signs", "vital-signs"}}) {
            given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.admin())
                    .contentType(ContentType.JSON)
                    .body(Map.of("name", mapping[0], "type", "predefined", "spec", mapping[1]))
                    .when().post("/api/projects/{key}/mappings", key).then().statusCode(201);
        }
        List<String> mrns = sandbox.cohort().groundTruth().patients().stream()
                .filter(p -> p.exists() && !p.restricted())
                .filter(p -> {
                    int labs = p.resourceIdsBySearch().getOrDefault("Observation?category=" + LABORATORY, List.of())
                            .size();
                    return labs >= 1 && labs <= 99;
                })
                .limit(2).map(PatientTruth::mrn).toList();
        assertThat(mrns).hasSize(2);
        given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.admin()).contentType(ContentType.JSON)
                .body(Map.of("mrns", mrns))
                .when().post("/api/projects/{key}/mrns", key).then().statusCode(200);
        JsonNode projectMappings = readTree(
                given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.service())
                        .when().get("/internal/projects/{key}/mappings", key)
                        .then().statusCode(200).extract().asByteArray());
        given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.service()).contentType(ContentType.JSON)
                .body(Map.of("fhirSystemId", projectMappings.path("fhirSystemId").asLong(), "mappings",
                        projectMappings.path("mappings")))
                .when().post("/internal/projects/{key}/reconcile", key).then().statusCode(200)
                .body("created", equalTo(4));
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode instances = readTree(
                    given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.admin()).when()
                            .get("/api/projects/{key}/summary", key)
                            .then().statusCode(200).extract().asByteArray())
                    .path("instances");
            assertThat(instances.path("completed").asLong()).as("completed instances").isEqualTo(4);
        });
        return key;
    }

    /** The payload references of the project's completed instances, as mrn-service lists them to this service. */
    private static Set<String> payloadRefs(String key) {
        JsonNode entries = readTree(given().baseUri(url("mrn-service"))
                .header("Authorization", "Bearer " + TestTokens.service()).queryParam("limit", 500)
                .when().get("/internal/projects/{key}/archive-entries", key)
                .then().statusCode(200).extract().asByteArray());
        Set<String> refs = new LinkedHashSet<>();
        entries.forEach(entry -> refs.add(entry.path("payloadRef").asText()));
        return refs;
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String url(String service) {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client." + service + ".url", String.class);
    }
}
