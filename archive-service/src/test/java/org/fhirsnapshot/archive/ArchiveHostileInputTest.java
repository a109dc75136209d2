package org.fhirsnapshot.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.LogConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and odd input to every archive-service endpoint, sent as raw (already percent-encoded) URLs: each is a 4xx
 * problem+json that names the offending field, a correct 206/416 (or a whole 200, as RFC 9110 allows for a Range it
 * cannot read), or a plain success for odd values that are valid; never a 5xx, never a download recorded for a
 * refused request, and never a value echoed back. Against a project config-service really has (with MRNs, no
 * fetched data: the filters are checked before any byte, and the archive is the empty project's).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "archive"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service,fetch-worker"))
class ArchiveHostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A marker no answer may repeat: put in values that are refused. */
    private static final String MARKER = "zq7marker";

    private static String project;
    private static long archiveLength;
    private static String etag;

    /** What a hostile request must get. */
    enum Expect {
        /** 400 problem+json naming the field. */
        INVALID,
        /** 404 problem+json (the address names no project, or nothing). */
        NOT_FOUND,
        /** Any 4xx (problem+json where the body is ours). */
        CLIENT_ERROR,
        /** 200 with the whole ZIP (a valid odd value, or a Range this ignores). */
        WHOLE,
        /** 206 with a Content-Range. */
        PARTIAL,
        /** 416 with {@code Content-Range: bytes *}{@code /length}. */
        UNSATISFIABLE
    }

    /**
     * One hostile request.
     *
     * @param path under the project ({@code /archive}, {@code /downloads}), or an absolute path starting with
     *            {@code //} (the project's key not used)
     * @param query raw query string, percent-encoded as sent
     * @param headers extra headers
     * @param field the field a 400 must name, or null
     */
    record Case(String name, String path, String query, Map<String, String> headers, Expect expect, String field) {

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // format
        invalid(cases, "format=csv", "format");
        invalid(cases, "format=" + MARKER, "format");
        invalid(cases, "format=js%00on", "format");
        // A control character anywhere, even where it could be trimmed, is refused (api-security, every service).
        invalid(cases, "format=json%00", "format");
        invalid(cases, "format=..%2Fjson", "format");
        invalid(cases, "format=json%0D%0AX-Injected:%201", "format");
        invalid(cases, "format=" + "j".repeat(3000), "format");
        invalid(cases, "format=n%C3%A9json", "format");
        cases.add(whole("format=NDJSON"));
        cases.add(whole("format="));
        cases.add(whole("format=%20json%20"));
        // fetch times
        invalid(cases, "fetchedAfter=last%20tuesday", "fetchedAfter");
        invalid(cases, "fetchedAfter=2024-13-01T00:00:00Z", "fetchedAfter");
        invalid(cases, "fetchedAfter=2024-02-30T00:00:00Z", "fetchedAfter");
        invalid(cases, "fetchedAfter=2024-01-01", "fetchedAfter");
        invalid(cases, "fetchedAfter=%2B1000000001-01-01T00:00:00Z", "fetchedAfter");
        invalid(cases, "fetchedBefore=-1000000001-01-01T00:00:00Z", "fetchedBefore");
        invalid(cases, "fetchedBefore=99999999999999999999999", "fetchedBefore");
        invalid(cases, "fetchedBefore=2024-01-01T00:00:00%2B25:00", "fetchedBefore");
        invalid(cases, "fetchedAfter=2024-01-01T00:00:00Z&fetchedBefore=2024-01-01T00:00:00Z", "fetchedBefore");
        invalid(cases, "fetchedAfter=2025-01-01T00:00:00Z&fetchedBefore=2024-01-01T00:00:00Z", "fetchedBefore");
        cases.add(whole("fetchedAfter=-1000000000-01-01T00:00:00Z&fetchedBefore=%2B1000000000-12-31T23:59:59Z"));
        invalid(cases, "fetchedAfter=2024-01-01T00:00:60Z", "fetchedAfter");
        // clinical dates
        invalid(cases, "from=01%2F02%2F2020", "from");
        invalid(cases, "from=2024-02-30", "from");
        invalid(cases, "to=2024-00-10", "to");
        invalid(cases, "from=2024", "from");
        invalid(cases, "from=2024-01-01T10:00", "from");
        invalid(cases, "from=%2B1000000000-01-01", "from");
        invalid(cases, "to=2024-01-01T00%00:00:00Z", "to");
        invalid(cases, "to=2024-01-01T00:00:00Z%00", "to");
        invalid(cases, "from=" + MARKER, "from");
        invalid(cases, "from=2025-01-01&to=2024-01-01", "to");
        invalid(cases, "from=2024-01-01&to=2024-01-01", "to");
        cases.add(whole("from=-999999999-01-01&to=%2B999999999-12-31"));
        cases.add(whole("to=%2B999999999-12-31T23:59:59-18:00"));
        cases.add(whole("from=-999999999-01-01T00:00:00%2B18:00"));
        // resource types
        invalid(cases, "type=observation", "type");
        invalid(cases, "type=A", "type");
        invalid(cases, "type=Observation%3BDROP%20TABLE%20download", "type");
        invalid(cases, "type=Observation%2F..%2FPatient", "type");
        invalid(cases, "type=Obs%00ervation", "type");
        cases.add(whole("type="));
        invalid(cases, "type=Observation&type=%20", "type");
        invalid(cases, "type=" + "X".repeat(70), "type");
        invalid(cases, "type=%E2%80%AEnoitavresbO", "type");
        cases.add(whole("type=Observation&type=Observation&type=Condition"));
        // MRN and mapping filters: forwarded to mrn-service, so they must be harmless there too
        cases.add(whole("mrn=&mapping=&type=&format=&from=&to=&fetchedAfter=&fetchedBefore="));
        invalid(cases, "mrn=%20%20", "mrn");
        invalid(cases, "mrn=zq7%00marker", "mrn");
        invalid(cases, "mrn=zq7%0D%0Amarker", "mrn");
        invalid(cases, "mrn=hostile-1&mrn=zq7%1Bmarker", "mrn");
        invalid(cases, "mrn=hostile-1%00&mrn=%0D%0Ahostile-2%0D%0A", "mrn");
        invalid(cases, "mrn=" + MARKER + "x".repeat(60), "mrn");
        invalid(cases, "mrn=a" + "&mrn=a".repeat(500), "mrn");
        // 150 distinct MRN-length values of characters that a URL must encode: short enough to arrive here, too long
        // once percent-encoded for mrn-service's request line.
        StringBuilder encodedLater = new StringBuilder("mrn=a");
        for (int i = 0; i < 150; i++) {
            encodedLater.append("&mrn=").append((char) ('a' + i / 26)).append((char) ('a' + i % 26))
                    .append("(".repeat(18));
        }
        invalid(cases, encodedLater.toString(), "mrn");
        invalid(cases, "mapping=zq7%07marker", "mapping");
        invalid(cases, "mapping=zq7%C2%85marker", "mapping");
        invalid(cases, "mapping=" + "m".repeat(201), "mapping");
        invalid(cases, "mapping=" + "%C3%A9".repeat(201), "mapping");
        cases.add(whole("mapping=" + "%C3%A9".repeat(200)));
        cases.add(whole("mrn=..%2F..%2Fetc%2Fpasswd&mrn=%2Fetc%2Fpasswd&mrn=a%5Cb"));
        cases.add(whole("mrn=%25&mrn=%2525&mrn=%26mrn%3Dother&mrn=a%2Cb"));
        cases.add(whole("mrn=%27%20OR%20%271%27%3D%271&mrn=%3Bselect%20pg_sleep(10)"));
        cases.add(whole("mrn=" + "9".repeat(64) + "&mrn=%F0%9F%98%80"));
        cases.add(whole("mapping=..%2F..%2Fetc&mapping=-1&mapping=99999999999999999999&mapping=%25x"));
        cases.add(whole("mapping=Laboratory%20results&mapping=%3Cscript%3Ealert(1)%3C%2Fscript%3E"));
        cases.add(whole("unknownParameter=" + MARKER + "&mrn=a"));
        // percent-encoded bytes that are not UTF-8
        cases.add(new Case("from=%C3%28", "/archive", "from=%C3%28", Map.of(), Expect.CLIENT_ERROR, null));
        // Bytes that are not UTF-8 decode to U+FFFD: a value like any other, that matches no MRN.
        cases.add(whole("mrn=%FF%FE"));
        // Range and If-Range (planned json: a known length)
        range(cases, "bytes=0-0", Expect.PARTIAL);
        range(cases, "bytes=-1", Expect.PARTIAL);
        range(cases, "bytes=0-", Expect.PARTIAL);
        range(cases, "bytes=1-99999999999999999", Expect.PARTIAL);
        range(cases, "BYTES=2-3", Expect.PARTIAL);
        range(cases, "bytes= 2 - 3 ", Expect.PARTIAL);
        range(cases, "bytes=-99999999999999999", Expect.PARTIAL);
        range(cases, "bytes=-0", Expect.UNSATISFIABLE);
        range(cases, "bytes=999999999999999999-", Expect.UNSATISFIABLE);
        range(cases, "bytes=LENGTH-", Expect.UNSATISFIABLE);
        range(cases, "bytes=99999999999999999999-", Expect.WHOLE);
        range(cases, "bytes=-99999999999999999999", Expect.WHOLE);
        range(cases, "bytes=5-2", Expect.WHOLE);
        range(cases, "bytes=0-1,4-5", Expect.WHOLE);
        range(cases, "bytes=abc", Expect.WHOLE);
        range(cases, "bytes=--1", Expect.WHOLE);
        range(cases, "bytes=1-2-3", Expect.WHOLE);
        range(cases, "bytes=-", Expect.WHOLE);
        range(cases, "bytes=", Expect.WHOLE);
        range(cases, "bytes=0x10-", Expect.WHOLE);
        range(cases, "bytes=+1-2", Expect.WHOLE);
        range(cases, "items=0-1", Expect.WHOLE);
        range(cases, "bytes=" + "1".repeat(5000) + "-", Expect.WHOLE);
        cases.add(new Case("If-Range: a date", "/archive", "", Map.of("Range", "bytes=0-9", "If-Range",
                "Wed, 21 Oct 2015 07:28:00 GMT"), Expect.WHOLE, null));
        cases.add(new Case("If-Range: a weak ETag", "/archive", "", Map.of("Range", "bytes=0-9", "If-Range",
                "W/ETAG"), Expect.WHOLE, null));
        cases.add(new Case("If-Range: junk", "/archive", "", Map.of("Range", "bytes=0-9", "If-Range",
                "\"" + "x".repeat(4000)), Expect.WHOLE, null));
        cases.add(new Case("If-Range: the ETag", "/archive", "", Map.of("Range", "bytes=0-9", "If-Range", "ETAG"),
                Expect.PARTIAL, null));
        cases.add(new Case("If-Range without Range", "/archive", "", Map.of("If-Range", "ETAG"), Expect.WHOLE,
                null));
        cases.add(new Case("Range on ndjson (ignored)", "/archive", "format=ndjson", Map.of("Range", "bytes=0-9"),
                Expect.WHOLE, null));
        cases.add(new Case("Range past the end on a filtered json (ignored)", "/archive", "type=Observation",
                Map.of("Range", "bytes=999999-"), Expect.WHOLE, null));
        cases.add(new Case("filters and a bad Range", "/archive", "format=csv", Map.of("Range", "bytes=abc"),
                Expect.INVALID, "format"));
        // paging of the downloads listing
        invalid(cases, "/downloads", "page=-1", "page");
        invalid(cases, "/downloads", "size=0", "size");
        invalid(cases, "/downloads", "size=201", "size");
        invalid(cases, "/downloads", "size=-2147483648", "size");
        invalid(cases, "/downloads", "page=1000001", "page");
        invalid(cases, "/downloads", "page=2147483647&size=200", "page");
        invalid(cases, "/downloads", "page=abc", "page");
        invalid(cases, "/downloads", "page=2147483648", "page");
        invalid(cases, "/downloads", "page=99999999999999999999999", "page");
        invalid(cases, "/downloads", "page=1.5", "page");
        invalid(cases, "/downloads", "page=%2B1", "page");
        invalid(cases, "/downloads", "page=0x10", "page");
        invalid(cases, "/downloads", "page=%00", "page");
        invalid(cases, "/downloads", "page=" + MARKER, "page");
        invalid(cases, "/downloads", "size=1e3", "size");
        invalid(cases, "/downloads", "size=%D9%A1", "size");
        cases.add(new Case("page=1000000&size=200", "/downloads", "page=1000000&size=200", Map.of(),
                Expect.WHOLE, null));
        cases.add(new Case("page=&size=", "/downloads", "page=&size=", Map.of(), Expect.WHOLE, null));
        cases.add(new Case("page=0&page=1", "/downloads", "page=0&page=1", Map.of(), Expect.WHOLE, null));
        // instance ids of a payload: a whole number from 1, never echoed; the project has no instance at all
        for (String id : new String[]{"abc", "0", "-1", "1.5", "%2B1", "1e3", "0x10", "99999999999999999999",
                "%D9%A1", MARKER}) {
            invalid(cases, "/payloads/" + id, "", "instanceId");
        }
        cases.add(new Case("/payloads/9223372036854775807", "/payloads/9223372036854775807", "", Map.of(),
                Expect.NOT_FOUND, null));
        cases.add(new Case("/payloads/1 (no such instance)", "/payloads/1", "", Map.of(), Expect.NOT_FOUND, null));
        cases.add(new Case("/payloads/%00", "/payloads/%00", "", Map.of(), Expect.CLIENT_ERROR, null));
        cases.add(new Case("/payloads/1%2F..%2F..%2Fdownloads", "/payloads/1%2F..%2F..%2Fdownloads", "", Map.of(),
                Expect.CLIENT_ERROR, null));
        cases.add(new Case("DELETE a payload", "//api/projects/PROJECT/payloads/1", "", Map.of("X-Method",
                "DELETE"), Expect.CLIENT_ERROR, null));
        notFound(cases, "//api/projects/Not_A_Key/payloads/1");
        // project keys in the address
        notFound(cases, "//api/projects/Not_A_Key/archive");
        notFound(cases, "//api/projects/" + "a".repeat(65) + "/archive");
        notFound(cases, "//api/projects/%2E%2E/archive");
        notFound(cases, "//api/projects/abc%2Fdef/archive");
        invalid(cases, "//api/projects/abc%00/downloads", "", "key"); // a control character: 400 in every service
        notFound(cases, "//api/projects/%20/downloads");
        notFound(cases, "//api/projects/%C3%A9t%C3%A9/downloads");
        notFound(cases, "//api/projects/" + MARKER + "%3Cscript%3E/archive");
        notFound(cases, "//api/projects//archive");
        cases.add(new Case("POST to the archive", "//api/projects/PROJECT/archive", "", Map.of("X-Method", "POST"),
                Expect.CLIENT_ERROR, null));
        cases.add(new Case("DELETE a download", "//api/projects/PROJECT/downloads", "", Map.of("X-Method",
                "DELETE"), Expect.CLIENT_ERROR, null));
        return cases;
    }

    private static void invalid(List<Case> cases, String query, String field) {
        invalid(cases, "/archive", query, field);
    }

    private static void invalid(List<Case> cases, String path, String query, String field) {
        String name = path + "?" + (query.length() > 80 ? query.substring(0, 80) + "…" : query);
        cases.add(new Case(name, path, query, Map.of(), Expect.INVALID, field));
    }

    private static Case whole(String query) {
        String name = "/archive?" + (query.length() > 80 ? query.substring(0, 80) + "…" : query);
        return new Case(name, "/archive", query, Map.of(), Expect.WHOLE, null);
    }

    private static void range(List<Case> cases, String range, Expect expect) {
        String name = "Range: " + (range.length() > 40 ? range.substring(0, 40) + "…" : range);
        cases.add(new Case(name, "/archive", "", Map.of("Range", range), expect, null));
    }

    private static void notFound(List<Case> cases, String path) {
        cases.add(new Case(path.substring(1), path, "", Map.of(), Expect.NOT_FOUND, null));
    }

    static Stream<Case> hostileCases() {
        return cases().stream();
    }

    @BeforeAll
    static void createProject() {
        project = "archive-hostile-" + UUID.randomUUID().toString().substring(0, 8);
        ConfigServiceProjects.createUnfetched(project, "Hostile " + project);
        String admin = "Bearer " + TestTokens.admin();
        given().baseUri(url("mrn-service")).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("mrns", List.of("hostile-1", "hostile-2")))
                .when().post("/api/projects/{key}/mrns", project).then().statusCode(200);
    }

    /** The project's whole archive, once (here, not in @BeforeAll: rest-assured knows the test port only now). */
    @BeforeEach
    void measureTheArchive() {
        if (etag == null) {
            Response whole = given().when().get("/api/projects/{key}/archive", project).then().statusCode(200)
                    .extract().response();
            archiveLength = whole.asByteArray().length;
            etag = whole.header("ETag");
            assertThat(archiveLength).isPositive();
            assertThat(etag).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileCases")
    void hostileInputIsAClientErrorOrACorrectAnswerNeverA5xx(Case hostile) throws IOException {
        long downloadsBefore = downloads();
        Response response = send(hostile);
        int status = response.statusCode();
        String body = response.asString();
        assertThat(status).as("%s: %s", hostile, body).isLessThan(500);
        assertThat(body).as(hostile.name()).doesNotContain("zq7").doesNotContain("Exception")
                .doesNotContain("at org.");
        switch (hostile.expect()) {
            case INVALID -> {
                assertThat(status).as("%s: %s", hostile, body).isEqualTo(400);
                assertThat(response.contentType()).isEqualTo(Problem.MEDIA_TYPE);
                JsonNode problem = JSON.readTree(body);
                assertThat(problem.path("detail").asText()).isNotBlank();
                List<String> fields = new ArrayList<>();
                problem.path("errors").forEach(error -> fields.add(error.path("field").asText()));
                assertThat(fields).as("%s: %s", hostile, body).contains(hostile.field());
            }
            case NOT_FOUND -> {
                assertThat(status).as("%s: %s", hostile, body).isEqualTo(404);
                assertThat(response.contentType()).isEqualTo(Problem.MEDIA_TYPE);
            }
            case CLIENT_ERROR -> {
                assertThat(status).as("%s: %s", hostile, body).isBetween(400, 499);
                if (!body.isEmpty()) {
                    assertThat(response.contentType()).as("%s: %s", hostile, body).isEqualTo(Problem.MEDIA_TYPE);
                }
            }
            case WHOLE -> {
                assertThat(status).as("%s: %s", hostile, body).isEqualTo(200);
                if (hostile.path().equals("/archive")) {
                    assertThat(response.contentType()).isEqualTo("application/zip");
                    ZipChecks.open(response.asByteArray());
                }
            }
            case PARTIAL -> {
                assertThat(status).as("%s: %s", hostile, body).isEqualTo(206);
                String contentRange = response.header("Content-Range");
                assertThat(contentRange).matches("bytes \\d+-\\d+/" + archiveLength);
                String[] span = contentRange.substring(6, contentRange.indexOf('/')).split("-");
                long length = Long.parseLong(span[1]) - Long.parseLong(span[0]) + 1;
                assertThat(Long.parseLong(span[1])).isLessThan(archiveLength);
                assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(length));
                assertThat(response.asByteArray()).hasSize((int) length);
            }
            case UNSATISFIABLE -> {
                assertThat(status).as("%s: %s", hostile, body).isEqualTo(416);
                assertThat(response.contentType()).isEqualTo(Problem.MEDIA_TYPE);
                assertThat(response.header("Content-Range")).isEqualTo("bytes */" + archiveLength);
            }
        }
        boolean download = hostile.path().equals("/archive")
                && List.of(Expect.WHOLE, Expect.PARTIAL).contains(hostile.expect());
        assertThat(downloads()).as("downloads recorded by %s", hostile).isEqualTo(downloadsBefore + (download ? 1 : 0));
    }

    /** Request targets no URI library would send: over a plain socket, as bytes. */
    static Stream<String> malformedTargets() {
        return Stream.of("/archive?mrn=%ZZ", "/archive?format=%", "/archive?mrn=a%2", "/downloads?page=%G1",
                "/archive?mrn=a b", "/archive?mrn=\u00e9\u00ff", "/archive?mrn=a\u0001b", "/archive?%=%",
                "/archive?&&&==&mrn", "/archive?mrn=a#fragment", "/archive/..%2F..%2Fdownloads",
                "/archive;jsessionid=x", "/../../../etc/passwd");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedTargets")
    void aMalformedRequestTargetIsAClientErrorOrIsReadSafely(String target) throws IOException {
        long downloadsBefore = downloads();
        String raw = "/api/projects/" + project + target;
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + raw + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TestTokens.projectUser(project, "exporter") + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).as(target).startsWith("HTTP/1.");
            int status = Integer.parseInt(answer.substring(9, 12));
            String head = answer.substring(0, Math.max(answer.indexOf("\r\n\r\n"), 12)).toLowerCase(Locale.ROOT);
            assertThat(status).as("%s: %s", target, answer).isLessThan(500);
            assertThat(answer).as(target).doesNotContain("Exception").doesNotContain("at org.");
            if (status == 200) {
                // Read safely: the odd bytes were a value like any other (and it was a real download).
                assertThat(head).contains("content-type: application/zip");
                assertThat(downloads()).isEqualTo(downloadsBefore + 1);
            } else {
                assertThat(status).as("%s: %s", target, answer).isBetween(400, 499);
                assertThat(downloads()).isEqualTo(downloadsBefore);
            }
        }
    }

    @Test
    void theServiceIsStillHealthyAfterTheHostileInput() {
        // Every refused request of the table once more, then readiness and a download.
        cases().stream().filter(hostile -> hostile.expect() == Expect.INVALID || hostile.expect() == Expect.NOT_FOUND)
                .forEach(hostile -> assertThat(send(hostile).statusCode()).as(hostile.name()).isBetween(400, 499));
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/api/projects/{key}/archive", project).then().statusCode(200);
    }

    @Test
    void aBodyOverTheDefaultLimitIsA413ProblemThatSaysTheLimit() {
        // archive-service reads no body, so Quarkus' default limit (10 MiB) applies; without rest-assured's filters,
        // whose request logging would keep a copy of the body.
        Response response = given().noFilters().config(RestAssured.config().logConfig(LogConfig.logConfig()))
                .header("Authorization", "Bearer " + TestTokens.projectUser(project, "exporter"))
                .contentType(ContentType.JSON).body(new byte[10 * 1024 * 1024 + 1])
                .post("/api/projects/{key}/archive", project);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(response.jsonPath().getString("detail"))
                .isEqualTo("The request body is larger than the 10 MiB this service accepts, so it was not read.");
    }

    private static Response send(Case hostile) {
        Map<String, String> headers = new LinkedHashMap<>(hostile.headers());
        String method = headers.containsKey("X-Method") ? headers.remove("X-Method") : "GET";
        headers.replaceAll((name, value) -> value.replace("LENGTH", String.valueOf(archiveLength))
                .replace("ETAG", etag));
        String path = hostile.path().startsWith("//")
                ? hostile.path().substring(1).replace("PROJECT", project)
                : "/api/projects/" + project + hostile.path();
        String uri = path + (hostile.query().isEmpty() ? "" : "?" + hostile.query());
        RequestSpecification request = given().urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + TestTokens.projectUser(project, "exporter"));
        for (Map.Entry<String, String> header : headers.entrySet()) {
            request = request.header(header.getKey(), header.getValue());
        }
        return request.when().request(method, uri).then().extract().response();
    }

    private static long downloads() {
        return given().when().get("/api/projects/{key}/downloads", project).then().statusCode(200).extract()
                .jsonPath().getLong("total");
    }

    private static String url(String service) {
        return ConfigServiceProjects.url(service);
    }
}
