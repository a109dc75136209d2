package org.fhirsnapshot.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.LogConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and careless input to every endpoint, as an administrator (so that nothing is refused for want of a role):
 * each answer is the expected 4xx as problem+json (or the expected success), never a 5xx; refused task requests open
 * no task, and the service stays healthy.
 */
@QuarkusTest
class TaskHostileInputTest {

    private static final String HUGE_TEXT = "x".repeat(200_000);

    private static String project;

    static Stream<Arguments> taskRequests() {
        List<Arguments> rows = new ArrayList<>();
        // Task types that cannot be requested, of the wrong JSON type, or disguised.
        for (String type : List.of("\"sync\"", "\"sweep\"", "\"\"", "\" full-sync\"", "\"FULL-SYNC\"",
                "\"full-sync\\u0000\"", "\"full_sync\"", "\"../full-sync\"", "5", "true", "[\"full-sync\"]",
                "{\"value\":\"full-sync\"}", "null", "\"" + "y".repeat(10_000) + "\"")) {
            rows.add(body("type " + abbreviate(type), "{\"type\":" + type + "}", 400));
        }
        // Retry filters of the wrong form.
        rows.add(body("errorClasses with a path", "{\"type\":\"retry-failed\",\"errorClasses\":[\"../etc\"]}", 400));
        rows.add(body("errorClasses empty item", "{\"type\":\"retry-failed\",\"errorClasses\":[\"\"]}", 400));
        rows.add(body("errorClasses null item", "{\"type\":\"retry-failed\",\"errorClasses\":[null]}", 400));
        rows.add(body("errorClasses a string", "{\"type\":\"retry-failed\",\"errorClasses\":\"timeout\"}", 400));
        rows.add(body("errorClasses a number", "{\"type\":\"retry-failed\",\"errorClasses\":[1]}", 400));
        rows.add(body("errorClasses 51 items", "{\"type\":\"retry-failed\",\"errorClasses\":["
                + String.join(",", java.util.Collections.nCopies(51, "\"timeout\"")) + "]}", 400));
        rows.add(body("mappingIds negative", "{\"type\":\"retry-failed\",\"mappingIds\":[-1]}", 400));
        rows.add(body("mappingIds zero", "{\"type\":\"retry-failed\",\"mappingIds\":[0]}", 400));
        rows.add(body("mappingIds text", "{\"type\":\"retry-failed\",\"mappingIds\":[\"abc\"]}", 400));
        rows.add(body("mappingIds null item", "{\"type\":\"retry-failed\",\"mappingIds\":[null]}", 400));
        rows.add(body("mappingIds beyond long", "{\"type\":\"retry-failed\",\"mappingIds\":[99999999999999999999]}",
                400));
        rows.add(body("mappingIds an object", "{\"type\":\"retry-failed\",\"mappingIds\":{\"1\":2}}", 400));
        rows.add(body("mappingIds 501 items", "{\"type\":\"retry-failed\",\"mappingIds\":["
                + String.join(",", java.util.Collections.nCopies(501, "7")) + "]}", 400));
        rows.add(body("filters on full-sync", "{\"type\":\"full-sync\",\"mappingIds\":[1]}", 400));
        // Fields the call does not know: refused, not ignored.
        rows.add(body("misspelt mappingIDs", "{\"type\":\"retry-failed\",\"mappingIDs\":[1]}", 400));
        rows.add(body("__proto__", "{\"type\":\"full-sync\",\"__proto__\":{\"admin\":true}}", 400));
        rows.add(body("a huge unknown field name", "{\"type\":\"full-sync\",\"" + "f".repeat(5_000) + "\":1}",
                400));
        // Bodies that are not a task request at all.
        rows.add(body("empty body", "", 400));
        rows.add(body("JSON null", "null", 400));
        rows.add(body("JSON array", "[]", 400));
        rows.add(body("a number", "42", 400));
        rows.add(body("not JSON", "type=full-sync", 400));
        rows.add(body("truncated JSON", "{\"type\":", 400));
        rows.add(body("trailing garbage", "{\"type\":\"full-sync\"} {}", 400));
        rows.add(body("duplicate field", "{\"type\":\"sync\",\"type\":\"sync\"}", 400));
        rows.add(body("deeply nested", "{\"type\":\"retry-failed\",\"errorClasses\":" + "[".repeat(5_000)
                + "]".repeat(5_000) + "}", 400));
        rows.add(body("over the size limit", "{\"type\":\"full-sync\",\"pad\":\"" + HUGE_TEXT + "\"}", 413));
        rows.add(body("three megabytes", "{\"type\":\"" + "z".repeat(3_000_000) + "\"}", 413));
        rows.add(Arguments.of("text/plain", "text/plain", "full-sync", 415));
        rows.add(Arguments.of("application/xml", "application/xml", "<type>full-sync</type>", 415));
        rows.add(Arguments.of("form", "application/x-www-form-urlencoded", "type=full-sync", 415));
        return rows.stream();
    }

    @ParameterizedTest(name = "POST {0} → {3}")
    @MethodSource("taskRequests")
    void badTaskRequestsAreProblemsAndOpenNoTask(String name, String contentType, String body, int expected) {
        String key = project();

        Response response = quietlyAsAdmin().contentType(contentType).body(body).post("/api/projects/{key}/tasks", key);

        assertProblem(response, expected);
        assertThat(SyncTasks.of(key)).as("tasks opened by a refused request").isEmpty();
    }

    static Stream<Arguments> listParameters() {
        return Stream.of(
                Arguments.of(Map.of("page", "-1"), 400), Arguments.of(Map.of("page", "abc"), 400),
                Arguments.of(Map.of("page", "1.5"), 400), Arguments.of(Map.of("page", "1e3"), 400),
                Arguments.of(Map.of("page", "0x10"), 400), Arguments.of(Map.of("page", " 1"), 400),
                Arguments.of(Map.of("page", "2147483647"), 400), Arguments.of(Map.of("page", "2147483648"), 400),
                Arguments.of(Map.of("page", "99999999999999999999999"), 400),
                Arguments.of(Map.of("page", "1000000"), 200), Arguments.of(Map.of("page", ""), 200),
                Arguments.of(Map.of("size", "0"), 400), Arguments.of(Map.of("size", "-5"), 400),
                Arguments.of(Map.of("size", "201"), 400), Arguments.of(Map.of("size", "abc"), 400),
                Arguments.of(Map.of("size", "2147483648"), 400), Arguments.of(Map.of("size", "200"), 200),
                Arguments.of(Map.of("size", "1", "page", "-0"), 400),
                Arguments.of(Map.of("size", HUGE_TEXT.substring(0, 2_000)), 400));
    }

    @ParameterizedTest(name = "GET tasks {0} → {1}")
    @MethodSource("listParameters")
    void pagingParametersOutOfRangeOrNotNumbersAreProblemsNamingTheParameter(Map<String, String> query,
            int expected) {
        Response response = given().queryParams(query).get("/api/projects/{key}/tasks", project());

        assertProblem(response, expected);
        if (expected == 400) {
            assertThat(response.jsonPath().getString("errors[0].field")).isIn("page", "size");
            assertThat(response.jsonPath().getString("detail")).contains("whole number");
        }
    }

    @Test
    void taskIdsThatAreNotTasksOfTheProjectAreNotFound() {
        String key = project();
        for (String id : List.of("abc", "-1", "0", "1.5", "9223372036854775807", "9223372036854775808",
                "99999999999999999999999999", "1%20", "1;drop", "..", "1e3")) {
            Response response = given().urlEncodingEnabled(false).get("/api/projects/" + key + "/tasks/" + id);
            assertProblem(response, 404);
        }
        // A control character is refused before any lookup, in every service (api-security).
        assertProblem(given().urlEncodingEnabled(false).get("/api/projects/" + key + "/tasks/%00"), 400);
    }

    @Test
    void projectKeysOfTheWrongFormAreNotFound() {
        for (String key : List.of("UPPER", "a_b", "k".repeat(65), "%2e%2e", "a%2Fb", "%C3%A9", "%00", "a%20b",
                "-", "..")) {
            for (String path : List.of("/api/projects/" + key + "/tasks", "/api/projects/" + key + "/tasks/1")) {
                Response response = given().urlEncodingEnabled(false).get(path);
                assertThat(response.statusCode()).as(path).isBetween(400, 499);
            }
            Response post = given().urlEncodingEnabled(false).contentType("application/json")
                    .body("{\"type\":\"full-sync\"}").post("/api/projects/" + key + "/tasks");
            assertThat(post.statusCode()).as(key).isBetween(400, 499);
        }
    }

    @Test
    void theServiceIsStillHealthyAfterwards() {
        quietlyAsAdmin().contentType("application/json").body("{\"type\":\"" + "z".repeat(5_000_000) + "\"}")
                .post("/api/projects/{key}/tasks", project())
                .then().statusCode(413).contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("larger than the 64 KiB this service accepts"))
                .body("detail", containsString("at most 50 errorClasses and 500 mappingIds"));

        given().get("/q/health/ready").then().statusCode(200);
        SyncTasks.request(project(), Map.of("type", "sync")).statusCode(400);
    }

    /**
     * An administrator's request that rest-assured does not log: its request logging keeps (and pretty-prints) every
     * body in memory, which megabyte bodies do not survive.
     */
    private static RequestSpecification quietlyAsAdmin() {
        RestAssuredConfig quiet = RestAssured.config().logConfig(LogConfig.logConfig());
        return given().noFilters().config(quiet).header("Authorization", "Bearer " + TestTokens.admin());
    }

    private static Arguments body(String name, String json, int expected) {
        return Arguments.of(name, "application/json", json, expected);
    }

    private static void assertProblem(Response response, int expected) {
        assertThat(response.statusCode()).as(abbreviate(response.asString())).isEqualTo(expected);
        if (expected >= 400) {
            assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
            assertThat(response.jsonPath().getString("detail")).isNotBlank().hasSizeLessThan(1_000);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static synchronized String project() {
        if (project == null) {
            project = SiblingServices.newProject();
        }
        return project;
    }
}
