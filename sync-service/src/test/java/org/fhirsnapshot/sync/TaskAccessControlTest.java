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
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.AccessMatrix.Access;
import org.fhirsnapshot.testinfra.AccessMatrix.Caller;
import org.fhirsnapshot.testinfra.AccessMatrix.Outcome;
import org.fhirsnapshot.testinfra.AccessMatrix;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may do what with a project's tasks: every endpoint × every {@link Caller} of test-infra's {@link AccessMatrix},
 * against the project's real tokens (signed with the test key, verified by quarkus-oidc). A caller without a role in
 * the project gets exactly the 404 of a project that does not exist; a reader or exporter may look but not start
 * tasks.
 */
@QuarkusTest
class TaskAccessControlTest {

    /** One project (and one task of it) for the whole matrix; created on first use, through the public APIs. */
    private static String project;
    private static long task;

    /** The public endpoints of sync-service: who may call each, and what a caller who may gets. */
    enum Endpoint {
        LIST_TASKS(Access.READER, 200), TASK_DETAIL(Access.READER, 200), REQUEST_TASK(Access.MANAGER, 202);

        final Access access;
        final int success;

        Endpoint(Access access, int success) {
            this.access = access;
            this.success = success;
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

    static Stream<Arguments> matrix() {
        List<Arguments> rows = new ArrayList<>();
        for (Endpoint endpoint : Endpoint.values()) {
            for (Caller caller : Caller.values()) {
                rows.add(Arguments.of(endpoint, caller, caller.expected(endpoint.access)));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} by {1} → {2}")
    @MethodSource("matrix")
    void everyEndpointAnswersEachCallerAsTheRolePolicySays(Endpoint endpoint, Caller caller, Outcome expected) {
        String key = project();

        Response response = endpoint.call(request(caller.authorization(key)), key, task);

        assertAnswer(endpoint, key, response, expected);
    }

    @Test
    void matrixHasOneCellPerEndpointAndCaller() {
        assertThat(matrix()).hasSize(Endpoint.values().length * Caller.values().length).hasSize(30);
    }

    /** A caller AccessMatrix does not have: its manager role in another project must not lift its reader role here. */
    @Test
    void aReaderHereWhoManagesAnotherProjectIsAReaderHere() {
        String key = project();
        String mixed = "Bearer " + TestTokens.user("test-mixed", "project:" + key + ":reader",
                "project:" + key + "-other:manager");

        for (Endpoint endpoint : Endpoint.values()) {
            Response response = endpoint.call(request(mixed), key, task);
            assertAnswer(endpoint, key, response, Caller.READER.expected(endpoint.access));
        }
    }

    @Test
    void aProjectThatDoesNotExistGetsTheSame404AsAProjectTheCallerHasNoRoleIn() {
        String unknown = "nope-" + UUID.randomUUID().toString().substring(0, 8);

        for (Endpoint endpoint : Endpoint.values()) {
            Response asAdmin = endpoint.call(request(Caller.ADMIN.authorization(unknown)), unknown, 1);
            Response asManager = endpoint.call(request(Caller.MANAGER.authorization(unknown)), unknown, 1);
            Response asStranger = endpoint.call(request(Caller.NO_ROLE.authorization(unknown)), unknown, 1);

            assertThat(asAdmin.statusCode()).as(endpoint + ": " + asAdmin.asString()).isEqualTo(404);
            assertThat(problemOf(asAdmin)).as(endpoint.name()).isEqualTo(unknownProject(unknown));
            assertThat(problemOf(asManager)).as(endpoint.name()).isEqualTo(unknownProject(unknown));
            assertThat(problemOf(asStranger)).as(endpoint.name()).isEqualTo(unknownProject(unknown));
        }
    }

    @Test
    void refusedTaskRequestsOpenNoTask() {
        String key = SiblingServices.newProject();

        List<Caller> refused = Stream.of(Caller.values())
                .filter(caller -> caller.expected(Endpoint.REQUEST_TASK.access) != Outcome.ALLOWED).toList();
        assertThat(refused).isNotEmpty();
        for (Caller caller : refused) {
            Response response = Endpoint.REQUEST_TASK.call(request(caller.authorization(key)), key, 0);
            assertAnswer(Endpoint.REQUEST_TASK, key, response, caller.expected(Endpoint.REQUEST_TASK.access));
        }

        assertThat(SyncTasks.of(key)).isEmpty();
    }

    @Test
    void aRequestedTaskNamesWhoRequestedItInItsLog() {
        String key = SiblingServices.newProject();

        long id = Endpoint.REQUEST_TASK.call(request(Caller.MANAGER.authorization(key)), key, 0).then().statusCode(202)
                .extract().jsonPath().getLong("id");

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

    /** A request with exactly this Authorization header (or none): noFilters, so no admin token is added. */
    private static RequestSpecification request(String authorization) {
        return authorization == null
                ? given().noFilters()
                : given().noFilters().header("Authorization", authorization);
    }

    /** AccessMatrix's outcome, plus what it does not say: problem+json, the Bearer challenge, the exact 404. */
    private static void assertAnswer(Endpoint endpoint, String key, Response response, Outcome expected) {
        int status = response.statusCode();
        assertThat(expected.matches(status, response.asString())).as("%s: status %d, expected %s", endpoint, status,
                expected).isTrue();
        switch (expected) {
            case ALLOWED -> assertThat(status).as(endpoint.name()).isEqualTo(endpoint.success);
            case UNAUTHORIZED -> {
                assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
                assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            }
            case NOT_FOUND -> assertThat(problemOf(response)).isEqualTo(unknownProject(key));
            case FORBIDDEN -> {
                assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
                assertThat(response.jsonPath().getString("detail"))
                        .contains("needs " + endpoint.access.name().toLowerCase(Locale.ROOT));
            }
        }
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
