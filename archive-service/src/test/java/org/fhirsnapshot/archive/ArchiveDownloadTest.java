package org.fhirsnapshot.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
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
 * Downloads archives of a real snapshot: config-service, mrn-service and fetch-worker run as processes against this
 * JVM's Kafka and PostgreSQL, and fetch from the FHIR sandbox; the ZIP is checked against the sandbox's ground
 * truth. The snapshot is made once for the class (its own project key); each test only reads it.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "archive"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service,fetch-worker"))
class ArchiveDownloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABORATORY = "laboratory";
    private static final String VITAL_SIGNS = "vital-signs";

    private static FhirSandbox sandbox;
    private static Snapshot snapshot;

    /** The project made for this class: its key, its mappings by catalog key, and its MRNs by role. */
    private record Snapshot(String key, Map<String, JsonNode> mappings, List<String> mrns, String plain,
            String heavy, String emptyChart, String restricted, String unknown) {
    }

    @BeforeAll
    static void snapshotADemoSubset() {
        sandbox = FhirSandbox.start(0);
        snapshot = createSnapshot();
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void archiveHoldsEveryFetchedResourceExactlyOnceAndListsFailuresInTheManifest() throws IOException {
        Response response = given().when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200)
                .contentType("application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + snapshot.key() + "-snapshot.zip\"")
                .extract().response();
        Map<String, byte[]> zip = unzip(response.asByteArray());
        JsonNode manifest = JSON.readTree(zip.get("manifest.json"));

        long expectedResources = 0;
        List<String> expectedFiles = new ArrayList<>();
        for (String mrn : List.of(snapshot.plain(), snapshot.heavy(), snapshot.emptyChart())) {
            for (JsonNode mapping : snapshot.mappings().values()) {
                String path = mrn + "/" + mapping.path("key").asText() + ".json";
                expectedFiles.add(path);
                List<String> expectedIds = truth(mrn).resourceIdsBySearch()
                        .getOrDefault(mapping.path("query").asText(), List.of());
                assertThat(zip).as(path).containsKey(path);
                // Every resource exactly once; outcome entries (4101 "no results") never count.
                assertThat(resourceIds(zip.get(path))).as(path).containsExactlyInAnyOrderElementsOf(expectedIds);
                expectedResources += expectedIds.size();
            }
        }
        assertThat(zip.keySet()).containsExactlyInAnyOrderElementsOf(concat(concat(expectedFiles, "manifest.json"),
                "manifest.sha256"));
        assertThat(zip.keySet()).noneMatch(name -> name.startsWith(snapshot.unknown() + "/")
                || name.startsWith(snapshot.restricted() + "/"));

        assertThat(manifest.path("project").asText()).isEqualTo(snapshot.key());
        assertThat(manifest.path("format").asText()).isEqualTo("json");
        JsonNode counts = manifest.path("counts");
        assertThat(counts.path("files").asInt()).isEqualTo(expectedFiles.size());
        assertThat(counts.path("completed").asInt()).isEqualTo(expectedFiles.size());
        assertThat(counts.path("failed").asInt()).isEqualTo(4);
        assertThat(counts.path("protected").asInt()).isEqualTo(2);
        assertThat(counts.path("resources").asLong()).isEqualTo(expectedResources).isPositive();

        for (JsonNode file : manifest.path("files")) {
            byte[] bytes = zip.get(file.path("path").asText());
            assertThat(file.path("sha256").asText()).isEqualTo(sha256(bytes));
            assertThat(file.path("size").asLong()).isEqualTo(bytes.length);
            assertThat(file.path("resources").asInt()).isEqualTo(resourceIds(bytes).size());
            assertThat(file.path("fetchedAt").asText()).isNotBlank();
        }
        Map<String, List<JsonNode>> failedByMrn = new LinkedHashMap<>();
        manifest.path("failed").forEach(f -> failedByMrn.computeIfAbsent(f.path("mrn").asText(),
                mrn -> new ArrayList<>()).add(f));
        assertThat(failedByMrn.keySet()).containsExactlyInAnyOrder(snapshot.unknown(), snapshot.restricted());
        assertThat(failedByMrn.get(snapshot.unknown())).hasSize(2).allSatisfy(f -> {
            assertThat(f.path("status").asText()).isEqualTo("failed");
            assertThat(f.path("errorClass").asText()).isEqualTo("not_found");
            assertThat(f.path("protected").asBoolean()).isFalse();
        });
        assertThat(failedByMrn.get(snapshot.restricted())).hasSize(2).allSatisfy(f -> {
            assertThat(f.path("status").asText()).isEqualTo("failed");
            assertThat(f.path("protected").asBoolean()).isTrue();
        });
    }

    @Test
    void mrnAndMappingFiltersNarrowTheArchive() throws IOException {
        JsonNode laboratory = snapshot.mappings().get(LABORATORY);

        Map<String, byte[]> byMrn = unzip(given().queryParam("mrn", snapshot.plain(), snapshot.unknown())
                .when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(200).extract().asByteArray());
        assertThat(byMrn.keySet()).allMatch(name -> name.startsWith("manifest.")
                || name.startsWith(snapshot.plain() + "/")).hasSize(4);
        JsonNode manifest = JSON.readTree(byMrn.get("manifest.json"));
        assertThat(manifest.path("failed")).hasSize(2)
                .allSatisfy(f -> assertThat(f.path("mrn").asText()).isEqualTo(snapshot.unknown()));
        assertThat(manifest.path("filters").path("mrn")).hasSize(2);

        for (String mapping : List.of(laboratory.path("id").asText(), laboratory.path("name").asText(),
                laboratory.path("key").asText())) {
            Map<String, byte[]> byMapping = unzip(given().queryParam("mapping", mapping)
                    .queryParam("mrn", snapshot.plain(), snapshot.heavy())
                    .when().get("/api/projects/{key}/archive", snapshot.key())
                    .then().statusCode(200).extract().asByteArray());
            String file = laboratory.path("key").asText() + ".json";
            assertThat(byMapping.keySet()).as("mapping=" + mapping).containsExactlyInAnyOrder("manifest.json",
                    "manifest.sha256", snapshot.plain() + "/" + file, snapshot.heavy() + "/" + file);
        }
    }

    @Test
    void ndjsonPutsEachResourceTypeInOneFileAcrossMrns() throws IOException {
        Map<String, byte[]> zip = unzip(given().queryParam("format", "ndjson")
                .when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(200).contentType("application/zip").extract().asByteArray());

        List<String> expected = new ArrayList<>();
        for (String mrn : List.of(snapshot.plain(), snapshot.heavy(), snapshot.emptyChart())) {
            for (JsonNode mapping : snapshot.mappings().values()) {
                expected.addAll(truth(mrn).resourceIdsBySearch().getOrDefault(mapping.path("query").asText(),
                        List.of()));
            }
        }
        assertThat(zip.keySet()).containsExactlyInAnyOrder("Observation.ndjson", "manifest.json", "manifest.sha256");
        List<String> ids = new ArrayList<>();
        for (String line : new String(zip.get("Observation.ndjson"), StandardCharsets.UTF_8)
                .split("\n")) {
            JsonNode resource = JSON.readTree(line);
            ids.add(resource.path("resourceType").asText() + "/" + resource.path("id").asText());
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
        JsonNode manifest = JSON.readTree(zip.get("manifest.json"));
        assertThat(manifest.path("counts").path("resources").asLong()).isEqualTo(expected.size());
        assertThat(manifest.path("sources")).hasSize(6);
    }

    @Test
    void aJsonArchiveHasAKnownLengthAndAnInterruptedDownloadResumesByteIdentically() throws IOException {
        Response full = given().when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200)
                .header("Accept-Ranges", "bytes")
                .extract().response();
        byte[] whole = full.asByteArray();
        String etag = full.header("ETag");
        assertThat(full.header("Content-Length")).isEqualTo(String.valueOf(whole.length));
        assertThat(full.header("Transfer-Encoding")).isNull();
        assertThat(etag).matches("\"[0-9a-f]{64}\"");
        unzip(whole);

        // The same data and filters give the same archive, whenever it is asked for.
        Response again = given().when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200).extract().response();
        assertThat(again.header("ETag")).isEqualTo(etag);
        assertThat(again.asByteArray()).isEqualTo(whole);

        // A client that got the first part resumes from there, inside a payload's data.
        int cut = whole.length / 2;
        Response rest = given().header("Range", "bytes=" + cut + "-").header("If-Range", etag)
                .when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(206)
                .header("Content-Range", "bytes " + cut + "-" + (whole.length - 1) + "/" + whole.length)
                .header("ETag", etag)
                .extract().response();
        byte[] tail = rest.asByteArray();
        assertThat(rest.header("Content-Length")).isEqualTo(String.valueOf(whole.length - cut));
        byte[] resumed = new byte[whole.length];
        System.arraycopy(whole, 0, resumed, 0, cut);
        System.arraycopy(tail, 0, resumed, cut, tail.length);
        assertThat(resumed).isEqualTo(whole);

        byte[] middle = given().header("Range", "bytes=100-4195")
                .when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(206).header("Content-Length", "4096").extract().asByteArray();
        assertThat(middle).isEqualTo(java.util.Arrays.copyOfRange(whole, 100, 4196));
    }

    @Test
    void headGivesTheArchivesLengthAndEtagWithoutSendingOrRecordingIt() {
        Response get = given().queryParam("mapping", LABORATORY)
                .when().get("/api/projects/{key}/archive", snapshot.key()).then().statusCode(200).extract()
                .response();
        long recorded = downloadsOf(snapshot.key());
        Response head = given().queryParam("mapping", LABORATORY)
                .when().head("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200)
                .contentType("application/zip")
                .header("Accept-Ranges", "bytes")
                .header("ETag", get.header("ETag"))
                .header("Content-Length", String.valueOf(get.asByteArray().length))
                .extract().response();
        assertThat(head.asByteArray()).isEmpty();
        assertThat(head.header("X-Download-Id")).isNull();
        given().queryParam("mapping", LABORATORY).header("Range", "bytes=10-19")
                .when().head("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(206)
                .header("Content-Range", "bytes 10-19/" + get.asByteArray().length)
                .header("Content-Length", "10");
        given().queryParam("format", "ndjson")
                .when().head("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200).header("Accept-Ranges", "none");
        given().queryParam("format", "csv")
                .when().head("/api/projects/{key}/archive", snapshot.key()).then().statusCode(400);
        assertThat(downloadsOf(snapshot.key())).isEqualTo(recorded);
    }

    private static long downloadsOf(String key) {
        return given().when().get("/api/projects/{key}/downloads", key).then().statusCode(200).extract().jsonPath()
                .getLong("total");
    }

    @Test
    void aStaleIfRangeGetsTheWholeArchiveAndARangePastItsEndIs416() throws IOException {
        Response stale = given().header("Range", "bytes=10-").header("If-Range", "\"not-this-archive\"")
                .when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200).extract().response();
        assertThat(stale.header("Content-Length")).isEqualTo(String.valueOf(stale.asByteArray().length));
        long length = stale.asByteArray().length;
        unzip(stale.asByteArray());

        given().header("Range", "bytes=" + length + "-")
                .when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(416)
                .contentType("application/problem+json")
                .header("Content-Range", "bytes */" + length);
    }

    @Test
    void ndjsonAndFilteredArchivesAreStreamedWithoutALength() throws IOException {
        Response ndjson = given().queryParam("format", "ndjson").header("Range", "bytes=10-")
                .when().get("/api/projects/{key}/archive", snapshot.key()).then()
                .statusCode(200).header("Accept-Ranges", "none").extract().response();
        assertThat(ndjson.header("Content-Length")).isNull();
        assertThat(ndjson.header("ETag")).isNull();
        unzip(ndjson.asByteArray());
    }

    @Test
    void aClinicalDateRangeKeepsOnlyResourcesDatedInsideItInBothFormats() throws IOException {
        Map<String, byte[]> all = unzip(given().queryParam("mrn", snapshot.heavy()).queryParam("mapping", LABORATORY)
                .when().get("/api/projects/{key}/archive", snapshot.key()).then().statusCode(200).extract()
                .asByteArray());
        String path = snapshot.heavy() + "/" + LABORATORY + ".json";
        List<Instant> dates = new ArrayList<>();
        JSON.readTree(all.get(path)).path("entry").forEach(e -> {
            if (!"outcome".equals(e.path("search").path("mode").asText())) {
                dates.add(OffsetDateTime.parse(e.path("resource").path("effectiveDateTime").asText()).toInstant());
            }
        });
        dates.sort(null);
        Instant from = dates.get(dates.size() / 4);
        Instant to = dates.get(dates.size() * 3 / 4);
        long inside = dates.stream().filter(d -> !d.isBefore(from) && d.isBefore(to)).count();
        assertThat(inside).isPositive().isLessThan(dates.size());

        Response json = given().queryParam("mrn", snapshot.heavy()).queryParam("mapping", LABORATORY)
                .queryParam("from", from.toString()).queryParam("to", to.toString())
                .when().get("/api/projects/{key}/archive", snapshot.key()).then().statusCode(200)
                .header("Accept-Ranges", "none").extract().response();
        Map<String, byte[]> filtered = unzip(json.asByteArray());
        List<Instant> kept = new ArrayList<>();
        JSON.readTree(filtered.get(path)).path("entry").forEach(e -> kept.add(OffsetDateTime.parse(
                e.path("resource").path("effectiveDateTime").asText()).toInstant()));
        assertThat(kept).hasSize((int) inside).allMatch(d -> !d.isBefore(from) && d.isBefore(to));
        JsonNode manifest = JSON.readTree(filtered.get("manifest.json"));
        assertThat(manifest.path("files").get(0).path("filtered").asBoolean()).isTrue();
        assertThat(manifest.path("counts").path("resources").asLong()).isEqualTo(inside);
        assertThat(manifest.path("counts").path("undated").asLong()).isZero();
        assertThat(manifest.path("counts").path("excluded").asLong()).isEqualTo(dates.size() - inside);

        Map<String, byte[]> ndjson = unzip(given().queryParam("mrn", snapshot.heavy())
                .queryParam("mapping", LABORATORY).queryParam("format", "ndjson")
                .queryParam("from", from.toString()).queryParam("to", to.toString())
                .when().get("/api/projects/{key}/archive", snapshot.key()).then().statusCode(200).extract()
                .asByteArray());
        assertThat(new String(ndjson.get("Observation.ndjson"), StandardCharsets.UTF_8).split("\n"))
                .hasSize((int) inside);

        // A type no payload holds leaves every instance without a file, and says so.
        JsonNode none = JSON.readTree(unzip(given().queryParam("mrn", snapshot.heavy()).queryParam("type", "Condition")
                .when().get("/api/projects/{key}/archive", snapshot.key()).then().statusCode(200).extract()
                .asByteArray()).get("manifest.json"));
        assertThat(none.path("counts").path("files").asInt()).isZero();
        assertThat(none.path("counts").path("emptyAfterFilter").asInt()).isEqualTo(2);
    }

    @Test
    void unknownProjectIsA404ProblemNotAZip() {
        String key = "no-such-project-" + suffix();
        Problem expected = ProjectAccessDenied.notFound(key).toProblem();
        given().when().get("/api/projects/{key}/archive", key)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo(expected.title()))
                .body("detail", equalTo(expected.detail()));
    }

    @Test
    void invalidFiltersAreA400ProblemBeforeAnyByte() {
        given().queryParam("format", "csv").when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("format"));
        // A malformed key names no project: the 404 of every project-scoped address of every service.
        given().when().get("/api/projects/{key}/archive", "Not_A_Key")
                .then().statusCode(404)
                .contentType("application/problem+json");
        given().queryParam("fetchedAfter", "last tuesday").when()
                .get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(400)
                .body("errors.field", hasItem("fetchedAfter"));
        given().queryParam("from", "01/02/2020").queryParam("type", "observation").when()
                .get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("from"))
                .body("errors.field", hasItem("type"));
    }

    @Test
    void everyDownloadIsRecordedWithoutItsMrns() throws IOException {
        Response download = given().queryParam("mrn", snapshot.plain()).queryParam("mapping", LABORATORY)
                .when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(200).extract().response();
        long id = Long.parseLong(download.header("X-Download-Id"));
        int sent = download.asByteArray().length;
        unzip(download.asByteArray());

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response list = given().queryParam("size", 200)
                    .when().get("/api/projects/{key}/downloads", snapshot.key())
                    .then().statusCode(200).contentType(ContentType.JSON).extract().response();
            JsonNode page = JSON.readTree(list.asByteArray());
            assertThat(page.path("total").asLong()).isPositive();
            JsonNode record = null;
            for (JsonNode item : page.path("items")) {
                if (item.path("id").asLong() == id) {
                    record = item;
                }
            }
            assertThat(record).as("download " + id).isNotNull();
            assertThat(record.path("status").asText()).isEqualTo("completed");
            assertThat(record.path("projectKey").asText()).isEqualTo(snapshot.key());
            // AdminTokenByDefault's token: preferred_username test-admin.
            assertThat(record.path("downloadedBy").asText()).isEqualTo("test-admin");
            assertThat(record.path("files").asInt()).isEqualTo(1);
            assertThat(record.path("bytes").asLong()).isEqualTo(sent);
            assertThat(record.path("finishedAt").asText()).isNotBlank();
            assertThat(record.path("filters").path("mrnCount").asInt()).isEqualTo(1);
            assertThat(record.path("filters").path("mapping")).hasSize(1);
            assertThat(list.asString()).doesNotContain(snapshot.plain());
        });
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("fhir_snapshot_archive_downloads_total{status=\"completed\"}"))
                .body(containsString("fhir_snapshot_archive_sent_bytes_total"))
                .body(containsString("fhir_snapshot_archive_download_duration_seconds_count"));
    }

    @Test
    void theDownloadsListingNamesWhoDownloaded() throws IOException {
        String exporter = "Bearer " + TestTokens.projectUser(snapshot.key(), "exporter");
        Response ndjson = given().header("Authorization", exporter).queryParam("format", "ndjson")
                .queryParam("mapping", LABORATORY)
                .when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(200).extract().response();
        unzip(ndjson.asByteArray());
        long streamed = Long.parseLong(ndjson.header("X-Download-Id"));
        Response json = given().header("Authorization", exporter).header("Range", "bytes=0-99")
                .when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(206).extract().response();
        long planned = Long.parseLong(json.header("X-Download-Id"));

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode page = readTree(given().header("Authorization", exporter).queryParam("size", 200)
                    .when().get("/api/projects/{key}/downloads", snapshot.key())
                    .then().statusCode(200).extract().asByteArray());
            Map<Long, JsonNode> byId = new LinkedHashMap<>();
            page.path("items").forEach(item -> byId.put(item.path("id").asLong(), item));
            assertThat(byId).containsKeys(streamed, planned);
            for (long id : List.of(streamed, planned)) {
                // The token's principal (preferred_username), both for a streamed and a planned archive.
                assertThat(byId.get(id).path("downloadedBy").asText()).as("download " + id)
                        .isEqualTo("test-exporter");
                assertThat(byId.get(id).path("status").asText()).isEqualTo("completed");
            }
            assertThat(byId.get(planned).path("filters").path("range").asText()).startsWith("bytes=0-99/");
        });
    }

    @Test
    void aPayloadThatNoLongerMatchesItsReferenceCutsTheStartedDownloadOffAndIsRecordedAsFailed()
            throws IOException {
        JsonNode manifest = JSON.readTree(unzip(given().when().get("/api/projects/{key}/archive", snapshot.key())
                .then().statusCode(200).extract().asByteArray()).get("manifest.json"));
        // The last file of the archive; it is replaced by other bytes, incompressible and larger than the 64 KiB
        // response buffer, so the response is under way before the mismatch shows at the end of that payload.
        List<JsonNode> files = new ArrayList<>();
        manifest.path("files").forEach(files::add);
        String hex = files.get(files.size() - 1).path("sha256").asText();
        Path stored = storedPayload(hex);
        byte[] original = Files.readAllBytes(stored);
        try {
            byte[] noise = new byte[300_000];
            new java.util.Random(5).nextBytes(noise);
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(stored))) {
                out.write(("{\"resourceType\":\"Bundle\",\"entry\":[],\"padding\":\""
                        + java.util.Base64.getEncoder().encodeToString(noise) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            HttpResponse<InputStream> response = send("/api/projects/" + snapshot.key() + "/archive");
            assertThat(response.statusCode()).isEqualTo(200);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            // The response is cut off before Content-Length bytes: the client sees an error, not the end of a file...
            assertThatThrownBy(() -> {
                try (InputStream body = response.body()) {
                    body.transferTo(received);
                }
            }).isInstanceOf(IOException.class);
            // ...and what arrived is not a complete ZIP: no end-of-central-directory record.
            assertThat(received.size()).isPositive();
            assertThat(containsEndOfCentralDirectory(received.toByteArray())).isFalse();
        } finally {
            Files.write(stored, original);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode newest = readTree(given().queryParam("size", 1)
                    .when().get("/api/projects/{key}/downloads", snapshot.key())
                    .then().statusCode(200).extract().asByteArray()).path("items").get(0);
            assertThat(newest.path("status").asText()).isEqualTo("failed");
            assertThat(newest.path("bytes").asLong()).isPositive();
            assertThat(newest.path("finishedAt").asText()).isNotBlank();
        });
    }

    @Test
    void aPayloadThatNoLongerMatchesItsReferenceBeforeAnyByteLeftIsA500ProblemNamingTheDownload()
            throws IOException {
        String hex = JSON.readTree(unzip(given().queryParam("mrn", snapshot.plain()).queryParam("mapping", LABORATORY)
                .when().get("/api/projects/{key}/archive", snapshot.key()).then().statusCode(200).extract()
                .asByteArray()).get("manifest.json")).path("files").get(0).path("sha256").asText();
        Path stored = storedPayload(hex);
        byte[] original = Files.readAllBytes(stored);
        try {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(stored))) {
                out.write("{\"resourceType\":\"Bundle\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8));
            }
            given().queryParam("mrn", snapshot.plain()).queryParam("mapping", LABORATORY)
                    .when().get("/api/projects/{key}/archive", snapshot.key()).then()
                    .statusCode(500)
                    .contentType("application/problem+json")
                    .body("detail", containsString("quote download"));
        } finally {
            Files.write(stored, original);
        }
    }

    private static Path storedPayload(String hex) {
        return Path.of(ConfigProvider.getConfig().getValue("fhir-snapshot.payload-store.directory", String.class))
                .resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex + ".json.gz");
    }

    @Test
    void downloadsOfAnUnknownProjectAreA404Problem() {
        String key = "no-such-project-" + suffix();
        given().when().get("/api/projects/{key}/downloads", key)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("title", equalTo(ProjectAccessDenied.notFound(key).toProblem().title()))
                .body("detail", equalTo(ProjectAccessDenied.notFound(key).getMessage()));
    }

    // --- the snapshot ----------------------------------------------------------------------------------------------

    private static Snapshot createSnapshot() {
        String configUrl = url("config-service");
        String mrnUrl = url("mrn-service");
        String key = "archive-" + suffix();

        long systemId = given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.admin())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Sandbox " + key, "baseUrl", sandbox.baseUrl(), "patientIdentifierSystem",
                        SandboxCohort.MRN_SYSTEM, "auth", Map.of("type", "none")))
                .when().post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
        given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.admin()).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Archive test " + key, "fhirSystemId", systemId, "enabled", true))
                .when().post("/api/projects").then().statusCode(201);
        for (String[] mapping : new String[][]{{"Laboratory", LABORATORY}, {"Vital signs", VITAL_SIGNS}}) {
            given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.admin())
                    .contentType(ContentType.JSON)
                    .body(Map.of("name", mapping[0], "type", "predefined", "spec", mapping[1]))
                    .when().post("/api/projects/{key}/mappings", key).then().statusCode(201);
        }

        List<PatientTruth> patients = sandbox.cohort().groundTruth().patients();
        PatientTruth plain = patients.stream().filter(p -> p.exists() && !p.restricted()
                && between(labCount(p), 1, 99)).findFirst().orElseThrow();
        // A heavy chart (thousands of laboratory results over many pages) makes the ZIP far larger than any buffer.
        PatientTruth heavy = patients.stream().filter(p -> p.exists() && !p.restricted()
                && labCount(p) >= 1_000).findFirst().orElseThrow();
        PatientTruth emptyChart = patients.stream().filter(p -> p.exists() && !p.restricted()
                && p.resourceIdsBySearch().entrySet().stream()
                        .allMatch(e -> e.getKey().equals("Patient") || e.getValue().isEmpty()))
                .findFirst().orElseThrow();
        PatientTruth restricted = patients.stream().filter(PatientTruth::restricted).findFirst().orElseThrow();
        PatientTruth unknown = patients.stream().filter(p -> !p.exists()).findFirst().orElseThrow();
        List<String> mrns = List.of(plain.mrn(), heavy.mrn(), emptyChart.mrn(), restricted.mrn(), unknown.mrn());

        given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.admin()).contentType(ContentType.JSON)
                .body(Map.of("mrns", mrns))
                .when().post("/api/projects/{key}/mrns", key).then().statusCode(200)
                .body("added", equalTo(mrns.size()));

        JsonNode projectMappings = readTree(
                given().baseUri(configUrl).header("Authorization", "Bearer " + TestTokens.service())
                        .when().get("/internal/projects/{key}/mappings", key)
                        .then().statusCode(200).extract().asByteArray());
        Map<String, JsonNode> mappings = new LinkedHashMap<>();
        projectMappings.path("mappings").forEach(m -> mappings.put(m.path("spec").asText(), m));
        assertThat(mappings).containsOnlyKeys(LABORATORY, VITAL_SIGNS);

        given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.service()).contentType(ContentType.JSON)
                .body(Map.of("fhirSystemId", projectMappings.path("fhirSystemId").asLong(), "mappings",
                        projectMappings.path("mappings")))
                .when().post("/internal/projects/{key}/reconcile", key).then().statusCode(200)
                .body("created", equalTo(mrns.size() * 2));

        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode summary = readTree(given().baseUri(mrnUrl).header("Authorization", "Bearer " + TestTokens.admin())
                    .when().get("/api/projects/{key}/summary", key)
                    .then().statusCode(200).extract().asByteArray());
            JsonNode instances = summary.path("instances");
            assertThat(instances.path("completed").asLong() + instances.path("failed").asLong())
                    .as("finished instances in %s", summary).isEqualTo(mrns.size() * 2L);
        });
        return new Snapshot(key, mappings, mrns, plain.mrn(), heavy.mrn(), emptyChart.mrn(), restricted.mrn(),
                unknown.mrn());
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static int labCount(PatientTruth patient) {
        return patient.resourceIdsBySearch().getOrDefault("Observation?category=" + LABORATORY, List.of()).size();
    }

    private static boolean between(int value, int min, int max) {
        return value >= min && value <= max;
    }

    private static PatientTruth truth(String mrn) {
        return sandbox.cohort().groundTruth().patient(mrn);
    }

    /** {@code Type/id} of every entry of a searchset Bundle that is not an outcome entry, duplicates kept. */
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

    /** Opens the archive with java.util.zip and with unzip -t, and checks manifest.sha256 and every file's digest. */
    private static Map<String, byte[]> unzip(byte[] bytes) throws IOException {
        return ZipChecks.open(bytes);
    }

    private static HttpResponse<InputStream> send(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + RestAssured.port + path)).header("Authorization", "Bearer " + TestTokens.admin()).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean containsEndOfCentralDirectory(byte[] zip) {
        for (int i = zip.length - 4; i >= 0; i--) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 5 && zip[i + 3] == 6) {
                return true;
            }
        }
        return false;
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> all = new ArrayList<>(list);
        all.add(more);
        return all;
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String url(String service) {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client." + service + ".url", String.class);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
