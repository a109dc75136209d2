package org.fhirsnapshot.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what with a project's tasks: every endpoint × every kind of caller, against the project's real tokens
 * (signed with the test key, verified by quarkus-oidc). A caller without a role in the project gets exactly the 404 of
 * a project that does not exist; a reader or exporter may look but not start tasks.
 */
@QuarkusTest
class TaskAccessControlTest {

    /** One project (and one task of it) for the whole matrix; created on first use, through the public APIs. */
    private static String project;
    private static long task;

    /** The public endpoints of sync-service. */
    enum Endpoint {
        LIST_TASKS(false), TASK_DETAIL(false), REQUEST_TASK(true);

        final boolean write;

        Endpoint(boolean write) {
            this.write = write;
        }

        Response call(RequestSpecification request, String key, long taskId) {
            return switch (this) {
                case LIST_TASKS -> request.get("/api/projects/{key}/tasks", key);
                case TASK_DETAIL -> request.get("/api/projects/{key}/tasks/{id}", key, taskId);
                case REQUEST_TASK -> request.contentType(ContentType.JSON).body(Map.of("type", "full-sync"))
                        .post("/api/projects/{key}/tasks", key);
            };
        }
    }

    /** The kinds of caller, each with the answer it gets from a read and from a write of the project. */
    enum Caller {
        ANONYMOUS(key -> null, 401, 401), EXPIRED_TOKEN(key -> TestTokens.expiredAdmin(), 401, 401), NO_GROUPS(
                key -> TestTokens.user("test-nobody"), 404, 404), READER(key -> TestTokens.projectUser(key, "reader"),
                        200, 403), EXPORTER(key -> TestTokens.projectUser(key, "exporter"), 200, 403), MANAGER(
                                key -> TestTokens.projectUser(key, "manager"), 200, 202), MANAGER_OF_ANOTHER_PROJECT(
                                        key -> TestTokens.projectUser(key + "-other", "manager"), 404,
                                        404), READER_HERE_MANAGER_ELSEWHERE(
                                                key -> TestTokens.user("test-mixed", "project:" + key + ":reader",
                                                        "project:" + key + "-other:manager"),
                                                200, 403), ADMIN(key -> TestTokens.admin(), 200,
                                                        202), SERVICE(key -> TestTokens.service(), 404, 404);

        final Function<String, String> token;
        final int read;
        final int write;

        Caller(Function<String, String> token, int read, int write) {
            this.token = token;
            this.read = read;
            this.write = write;
        }

        RequestSpecification request(String key) {
            String bearer = token.apply(key);
            // noFilters: no admin token added by default, so the caller is exactly this one.
            return bearer == null
                    ? given().noFilters()
                    : given().noFilters().header("Authorization", "Bearer " + bearer);
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> rows = new ArrayList<>();
        for (Endpoint endpoint : Endpoint.values()) {
            for (Caller caller : Caller.values()) {
                rows.add(Arguments.of(endpoint, caller, endpoint.write ? caller.write : caller.read));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} by {1} → {2}")
    @MethodSource("matrix")
    void everyEndpointAnswersEachCallerAsTheRolePolicySays(Endpoint endpoint, Caller caller, int expected) {
        String key = project();

        Response response = endpoint.call(caller.request(key), key, task);

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(expected);
        if (expected >= 400) {
            assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        }
        if (expected == 401) {
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        }
        if (expected == 404) {
            assertThat(problemOf(response)).isEqualTo(unknownProject(key));
        }
        if (expected == 403) {
            assertThat(response.jsonPath().getString("detail")).contains("needs manager");
        }
    }

    @Test
    void aProjectThatDoesNotExistGetsTheSame404AsAProjectTheCallerHasNoRoleIn() {
        String unknown = "nope-" + UUID.randomUUID().toString().substring(0, 8);

        for (Endpoint endpoint : Endpoint.values()) {
            Response asAdmin = endpoint.call(Caller.ADMIN.request(unknown), unknown, 1);
            Response asManager = endpoint.call(Caller.MANAGER.request(unknown), unknown, 1);
            Response asStranger = endpoint.call(Caller.NO_GROUPS.request(unknown), unknown, 1);

            assertThat(asAdmin.statusCode()).as(endpoint + ": " + asAdmin.asString()).isEqualTo(404);
            assertThat(problemOf(asAdmin)).as(endpoint.name()).isEqualTo(unknownProject(unknown));
            assertThat(problemOf(asManager)).as(endpoint.name()).isEqualTo(unknownProject(unknown));
            assertThat(problemOf(asStranger)).as(endpoint.name()).isEqualTo(unknownProject(unknown));
        }
    }

    @Test
    void refusedTaskRequestsOpenNoTask() {
        String key = SiblingServices.newProject();

        for (Caller caller : List.of(Caller.ANONYMOUS, Caller.EXPIRED_TOKEN, Caller.NO_GROUPS, Caller.READER,
                Caller.EXPORTER, Caller.MANAGER_OF_ANOTHER_PROJECT, Caller.SERVICE)) {
            int status = Endpoint.REQUEST_TASK.call(caller.request(key), key, 0).statusCode();
            assertThat(status).as(caller.name()).isIn(401, 403, 404);
        }

        assertThat(SyncTasks.of(key)).isEmpty();
    }

    @Test
    void aRequestedTaskNamesWhoRequestedItInItsLog() {
        String key = SiblingServices.newProject();

        long id = Endpoint.REQUEST_TASK.call(Caller.MANAGER.request(key), key, 0).then().statusCode(202).extract()
                .jsonPath().getLong("id");

        assertThat(SyncTasks.log(key, id)).first().isEqualTo("opened: full-sync requested by test-manager");
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().noFilters().get("/q/health/ready").then().statusCode(200);
        given().noFilters().get("/q/metrics").then().statusCode(200);
        given().noFilters().get("/q/openapi").then().statusCode(200).body(startsWith("---"));
    }

    private static synchronized String project() {
        if (project == null) {
            String key = SiblingServices.newProject();
            task = SyncTasks.request(key, Map.of("type", "full-sync")).statusCode(202).extract().jsonPath()
                    .getLong("id");
            project = key;
        }
        return project;
    }

    private static Map<String, Object> problemOf(Response response) {
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        return response.jsonPath().getMap("");
    }

    private static Map<String, Object> unknownProject(String key) {
        Problem problem = ProjectAccessDenied.notFound(key).toProblem();
        return Map.of("type", problem.type(), "title", problem.title(), "status", problem.status(), "detail",
                problem.detail());
    }
}
