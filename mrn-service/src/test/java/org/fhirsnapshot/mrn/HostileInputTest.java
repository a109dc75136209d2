package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.LogConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed input at every endpoint (as an admin or a service, so that only the input is wrong): each gets
 * a 4xx problem+json that says what to fix, never a 5xx, never the MRN it was sent; the service stays healthy and
 * nothing is stored. Case names describe the input, never carry an MRN.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class HostileInputTest {

    /** A value that must never come back in an answer: it stands for an MRN. */
    private static final String SECRET = "Zq7Secret";
    private static final String TOO_LONG = SECRET + "x".repeat(60);

    /** One hostile request: what it is, what it sends, the status it must get, a word the detail must contain. */
    record Case(String name, Function<RequestSpecification, Response> send, int status, String detailSays) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static volatile String project;
    private static int tried;
    private static int fiveHundreds;

    private static synchronized String project() {
        if (project == null) {
            project = Fixtures.projectInConfigService();
            given().contentType(ContentType.TEXT).body("H-1\nH-2\n").post("/api/projects/{key}/mrns", project).then()
                    .statusCode(200);
            Fixtures.reconcile(project, List.of(Fixtures.vitalSigns(940, 1)));
        }
        return project;
    }

    private static Case json(String name, Object body, int status, String detailSays) {
        return new Case("POST mrns JSON: " + name, r -> r.contentType(ContentType.JSON).body(body)
                .post("/api/projects/{key}/mrns", project()), status, detailSays);
    }

    private static Case rawJson(String name, String body, int status, String detailSays) {
        return new Case("POST mrns JSON: " + name, r -> r.contentType(ContentType.JSON).body(body)
                .post("/api/projects/{key}/mrns", project()), status, detailSays);
    }

    private static Case text(String name, String body, int status, String detailSays) {
        return new Case("POST mrns text: " + name, r -> r.contentType("text/plain; charset=UTF-8")
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/api/projects/{key}/mrns", project()), status,
                detailSays);
    }

    private static Case get(String name, String path, Map<String, String> query, int status, String detailSays) {
        return new Case("GET " + path + ": " + name, r -> r.queryParams(query).get(path, project()), status,
                detailSays);
    }

    private static Case delete(String name, String mrn, int status, String detailSays) {
        return new Case("DELETE mrns/{mrn}: " + name, r -> r.urlEncodingEnabled(true)
                .delete("/api/projects/{key}/mrns/{mrn}", project(), mrn), status, detailSays);
    }

    private static Case internal(String name, String path, String body, int status, String detailSays) {
        return new Case("POST " + path + ": " + name, r -> r.contentType(ContentType.JSON).body(body)
                .post(path, path.contains("{key}") ? new Object[]{project()} : new Object[0]), status, detailSays);
    }

    static Stream<Case> hostileInputs() {
        List<Case> cases = new ArrayList<>();
        // MRN uploads: nothing valid in them
        cases.add(json("empty list", Map.of("mrns", List.of()), 400, "empty"));
        cases.add(rawJson("no mrns field", "{}", 400, "empty"));
        cases.add(rawJson("null mrns", "{\"mrns\": null}", 400, "empty"));
        cases.add(rawJson("only a null", "{\"mrns\": [null]}", 400, "position 1: empty"));
        cases.add(json("only whitespace", Map.of("mrns", List.of("   ", "\t")), 400, "position 1: empty"));
        cases.add(json("too long", Map.of("mrns", List.of(TOO_LONG)), 400, "longer than 64"));
        cases.add(json("5 MB value", Map.of("mrns", List.of(SECRET + "y".repeat(5_000_000))), 400, "longer than 64"));
        cases.add(json("inner space", Map.of("mrns", List.of(SECRET + " 1")), 400, "characters other than"));
        cases.add(json("markup", Map.of("mrns", List.of("<script>" + SECRET + "</script>")), 400, "characters"));
        cases.add(json("SQL", Map.of("mrns", List.of(SECRET + "'); drop table mrn; --")), 400, "characters"));
        cases.add(json("NUL byte", Map.of("mrns", List.of(SECRET + "\u0000")), 400, "characters"));
        cases.add(json("right-to-left override", Map.of("mrns", List.of(SECRET + "\u202E")), 400, "characters"));
        cases.add(json("full-width digits", Map.of("mrns", List.of(SECRET + "１２")), 400, "characters"));
        cases.add(json("path traversal", Map.of("mrns", List.of("../" + SECRET)), 400, "characters"));
        cases.add(json("duplicates of an invalid value", Map.of("mrns", List.of(SECRET + "!", SECRET + "!")), 400,
                "position 1"));
        cases.add(rawJson("mrns is a string", "{\"mrns\": \"" + SECRET + "\"}", 400, "mrns"));
        cases.add(rawJson("mrns holds objects", "{\"mrns\": [{\"a\": 1}]}", 400, "mrns"));
        cases.add(rawJson("top-level array", "[\"" + SECRET + "\"]", 400, "not valid JSON"));
        cases.add(rawJson("truncated JSON", "{\"mrns\": [\"" + SECRET, 400, "request body"));
        cases.add(rawJson("10,000 nested arrays", "{\"mrns\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}", 400,
                "request body"));
        cases.add(text("only blank lines", "\n \r\n\t\n", 400, "empty"));
        cases.add(text("only invalid lines", SECRET + " 1\n" + TOO_LONG + "\n", 400, "position 2: longer than 64"));
        cases.add(text("NUL bytes", SECRET + "\u0000\n", 400, "characters"));
        cases.add(new Case("POST mrns: XML content type", r -> r.contentType(ContentType.XML).body("<mrns/>")
                .post("/api/projects/{key}/mrns", project()), 415, "Content-Type"));
        // removal: the MRN in the address
        cases.add(delete("too long", TOO_LONG, 400, "longer than 64"));
        cases.add(delete("inner space", SECRET + " 1", 400, "characters other than"));
        cases.add(delete("percent-encoded slash", SECRET + "/x", 400, "characters other than"));
        cases.add(delete("valid but never added", SECRET, 404, "no active MRN"));
        // paging and filters
        String mrns = "/api/projects/{key}/mrns";
        String instances = "/api/projects/{key}/instances";
        for (String path : List.of(mrns, instances)) {
            // Every form of bad number is problem-details' QueryNumbersTest; here, that both lists use it.
            cases.add(get("page not a number", path, Map.of("page", "abc"), 400, "page must be a whole number"));
            cases.add(get("page past the highest", path, Map.of("page", "1000001"), 400, "from 0 to 1000000"));
            cases.add(get("size beyond an int", path, Map.of("size", "4294967297"), 400, "from 1 to 1000"));
        }
        cases.add(get("unknown status", instances, Map.of("status", "exploded"), 400, "status is one of"));
        cases.add(get("status in capitals", instances, Map.of("status", "PENDING"), 400, "status is one of"));
        cases.add(get("mapping not a number", instances, Map.of("mapping", "vital-signs"), 400, "mapping"));
        cases.add(get("mapping beyond a long", instances, Map.of("mapping", "9".repeat(30)), 400, "mapping"));
        cases.add(get("mrn filter too long", instances, Map.of("mrn", TOO_LONG), 400, "longer than 64"));
        cases.add(get("mrn filter with a quote", instances, Map.of("mrn", SECRET + "'--"), 400, "characters"));
        // the MRN grid's filters and keyset paging
        cases.add(get("unknown status", mrns, Map.of("status", "exploded"), 400, "outdated, deleted"));
        cases.add(get("status in capitals", mrns, Map.of("status", "FAILED"), 400, "status is one of"));
        cases.add(get("protected not a flag", mrns, Map.of("protected", "yes"), 400, "protected is true or false"));
        cases.add(get("mapping not a number", mrns, Map.of("mapping", "vital-signs"), 400, "mapping"));
        cases.add(get("mrn prefix too long", mrns, Map.of("mrn", TOO_LONG), 400, "longer than 64"));
        cases.add(get("mrn prefix with a LIKE wildcard", mrns, Map.of("mrn", SECRET + "%"), 400, "characters"));
        cases.add(get("mrn prefix with a quote", mrns, Map.of("mrn", SECRET + "'--"), 400, "characters"));
        cases.add(get("after with a space", mrns, Map.of("after", SECRET + " 1"), 400, "characters"));
        cases.add(get("after too long", mrns, Map.of("after", TOO_LONG), 400, "longer than 64"));
        cases.add(get("after with a page", mrns, Map.of("after", SECRET, "page", "2"), 400, "not both"));
        // internal endpoints (as a service)
        String entries = "/internal/projects/{key}/archive-entries";
        cases.add(get("negative afterId", entries, Map.of("afterId", "-1"), 400, "afterId"));
        cases.add(get("afterId not a number", entries, Map.of("afterId", "x"), 400, "afterId"));
        cases.add(get("limit 0", entries, Map.of("limit", "0"), 400, "limit"));
        cases.add(get("limit 5001", entries, Map.of("limit", "5001"), 400, "limit"));
        cases.add(get("limit not a number", entries, Map.of("limit", "ten"), 400, "limit"));
        String claim = "/internal/instances/claim";
        cases.add(internal("empty object", claim, "{}", 400, "instanceIds"));
        cases.add(internal("ids not numbers", claim, "{\"instanceIds\": [\"a\"], \"workerId\": \"w\"}", 400,
                "instanceIds"));
        cases.add(internal("lease beyond an int", claim,
                "{\"instanceIds\": [], \"workerId\": \"w\", \"leaseSeconds\": 99999999999}", 400, "'leaseSeconds'"));
        cases.add(internal("worker id too long", claim,
                "{\"instanceIds\": [1], \"workerId\": \"" + "w".repeat(201) + "\"}", 400, "workerId"));
        // Quarkus' JSON reader wraps JSON it cannot parse in a bare 400; problem-details says what to fix.
        cases.add(internal("not JSON", claim, "claim!", 400, "not valid JSON"));
        String release = "/internal/instances/release";
        cases.add(internal("empty object", release, "{}", 400, "claims"));
        cases.add(internal("claim without token", release,
                "{\"workerId\": \"w\", \"claims\": [{\"instanceId\": 1}]}", 400, "claimToken"));
        cases.add(internal("null claim", release, "{\"workerId\": \"w\", \"claims\": [null]}", 400, "claimToken"));
        cases.add(internal("token with a NUL", release,
                "{\"workerId\": \"w\", \"claims\": [{\"instanceId\": 1, \"claimToken\": \"a\\u0000b\"}]}", 400,
                "claimToken"));
        String reconcile = "/internal/projects/{key}/reconcile";
        cases.add(internal("empty object", reconcile, "{}", 400, "mappings"));
        cases.add(internal("unknown mapping type", reconcile, "{\"fhirSystemId\": 7, \"mappings\": [{\"id\": 1, "
                + "\"revision\": 1, \"name\": \"n\", \"key\": \"k\", \"type\": \"evil\", \"spec\": \"s\"}]}", 400,
                "type"));
        String retry = "/internal/projects/{key}/retry-failed";
        cases.add(internal("truncated JSON", retry, "{", 400, "request body"));
        cases.add(internal("mapping ids not numbers", retry, "{\"mappingIds\": [\"x\"]}", 400, "mappingIds"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileInputs")
    void hostileInputIsA4xxProblemThatSaysWhatToFixAndNeverEchoesTheMrn(Case hostile) {
        Response response = hostile.send().apply(quietly(hostile.name().contains("/internal/")));
        tried++;
        if (response.statusCode() >= 500) {
            fiveHundreds++;
        }

        assertThat(response.statusCode()).as(hostile.name()).isEqualTo(hostile.status());
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        String body = response.body().asString();
        assertThat(body).doesNotContain(SECRET);
        assertThat(response.jsonPath().getString("detail")
                + response.jsonPath().getList("errors.message", String.class)).contains(hostile.detailSays());
        assertThat(TestDatabase.count("select count(*) from mrn where project_key = ?", project())).isEqualTo(2);
        given().get("/q/health/ready").then().statusCode(200);
    }

    /**
     * A request without rest-assured's filters (its request logging would pretty-print a 10,000-deep JSON body into
     * gigabytes), with the token a filter would have added.
     */
    private static RequestSpecification quietly(boolean internal) {
        return given().noFilters().config(RestAssured.config().logConfig(LogConfig.logConfig())).header("Authorization",
                "Bearer " + (internal ? TestTokens.service() : TestTokens.admin()));
    }

    @AfterAll
    static void noneWasA5xx() {
        System.out.printf("hostile inputs tried: %d, answered 5xx: %d%n", tried, fiveHundreds);
        assertThat(fiveHundreds).isZero();
    }

    @Test
    void surroundingWhitespaceIsIgnoredAndDuplicatesCountOnce() {
        String key = Fixtures.projectInConfigService();
        given().contentType(ContentType.JSON).body(Map.of("mrns", List.of("  W-1 ", "W-1", "\tW-1", "W-2", "W-2")))
                .post("/api/projects/{key}/mrns", key).then().statusCode(200).body("added", equalTo(2))
                .body("duplicates", equalTo(3)).body("rejected", hasSize(0));

        assertThat(TestDatabase.query("select mrn from mrn where project_key = ? order by mrn", key))
                .extracting(row -> row.get("mrn")).containsExactly("W-1", "W-2");
    }

    @Test
    void theHighestPageIsAnEmptyPageNotAnError() {
        String key = project();
        for (String path : List.of("/api/projects/{key}/mrns", "/api/projects/{key}/instances")) {
            given().queryParam("page", 1_000_000).queryParam("size", 1000).get(path, key).then().statusCode(200)
                    .body("items", hasSize(0)).body("page", equalTo(1_000_000));
        }
        given().queryParam("fetchedAfter", "not-a-date").queryParam("unknown", "x")
                .get("/api/projects/{key}/instances", key).then().statusCode(200);
    }

    @Test
    void aMillionLineUploadOverTheBodyLimitIsRefusedWithAProblemBeforeItIsRead() {
        String key = Fixtures.projectInConfigService();
        StringBuilder body = new StringBuilder(9_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            body.append('M').append(String.format("%07d", i)).append('\n');
        }
        assertThat(body.length()).isEqualTo(9_000_000);

        Response response = uploadRefusedWithA413(key, body.toString());

        assertThat(response.jsonPath().getString("detail")).contains("larger than the 8 MiB")
                .contains("at most 100000 MRNs");

        assertThat(TestDatabase.count("select count(*) from mrn where project_key = ?", key)).isZero();
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aMillionLineUploadWithinTheBodyLimitIsCountedAndRefusedWithAProblem() {
        String key = Fixtures.projectInConfigService();
        StringBuilder body = new StringBuilder(5_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            body.append(Integer.toString(i, 36)).append('\n');
        }
        assertThat(body.length()).isLessThan(8 * 1024 * 1024);

        Response response = uploadRefusedWithA413(key, body.toString());

        assertThat(response.jsonPath().getString("detail")).contains("at most 100000 MRNs; this one has 1000000");

        assertThat(TestDatabase.count("select count(*) from mrn where project_key = ?", key)).isZero();
    }

    /**
     * Posts a million-line text upload, checks it is a 413 problem and prints how long that took. Asserted on the
     * extracted answer: rest-assured would print the megabytes of the request if a then() check failed.
     */
    private static Response uploadRefusedWithA413(String key, String body) {
        long start = System.nanoTime();
        Response response = quietly(false).contentType(ContentType.TEXT).body(body)
                .post("/api/projects/{key}/mrns", key);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        System.out.printf("1,000,000-line upload of %d bytes: 413 in %d ms%n", body.length(), millis);
        return response;
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedToo() {
        String key = Fixtures.projectInConfigService();
        byte[] body = "C-1\n".repeat(2_500_000).getBytes(StandardCharsets.US_ASCII);

        Response response = quietly(false).contentType(ContentType.TEXT).body(new ByteArrayInputStream(body))
                .post("/api/projects/{key}/mrns", key);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(TestDatabase.count("select count(*) from mrn where project_key = ?", key)).isZero();
    }
}
