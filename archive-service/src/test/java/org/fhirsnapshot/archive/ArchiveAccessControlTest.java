package org.fhirsnapshot.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.AccessMatrix.Access;
import org.fhirsnapshot.testinfra.AccessMatrix.Caller;
import org.fhirsnapshot.testinfra.AccessMatrix.Outcome;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may call what on archive-service: every endpoint × every kind of caller (AccessMatrix's rules), against a
 * project config-service really has. A caller with no role in the project gets exactly the problem of a project
 * that does not exist; a download of an allowed caller is a real one (an empty project's ZIP, with its manifest).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "archive"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service,fetch-worker"))
class ArchiveAccessControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A project that exists in config-service (and so in mrn-service), without MRNs. */
    private static String project;

    /**
     * One archive-service endpoint: its method, its path under the project, a query, a Range header or none, and who
     * may call it.
     */
    record Endpoint(String name, String method, String path, String query, String range, Access access) {

        @Override
        public String toString() {
            return name;
        }

        Response call(String projectKey, String authorization) {
            RequestSpecification request = authorization == null
                    ? given().noFilters()
                    : given().header("Authorization", authorization);
            if (range != null) {
                request = request.header("Range", range);
            }
            String uri = "/api/projects/" + projectKey + path + (query.isEmpty() ? "" : "?" + query);
            return request.when().request(method, uri).then().extract().response();
        }

        boolean hasBody() {
            return !method.equals("HEAD");
        }

        /** Whether an allowed call downloads (and records) an archive: a GET of it. */
        boolean download() {
            return path.equals("/archive") && method.equals("GET");
        }

        int success() {
            if (path.startsWith("/payloads/")) {
                // The project has no instance: past the access check, the 404 of an instance without a payload
                // (not the no-role 404: Outcome.ALLOWED tells them apart). Real payloads: PayloadDownloadTest.
                return 404;
            }
            return range != null ? 206 : 200;
        }
    }

    /**
     * Every endpoint of the service: the archive in each of its ways (GET and HEAD), the downloads listing, and one
     * payload (GET and HEAD).
     */
    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET archive (json, planned)", "GET", "/archive", "", null, Access.EXPORTER),
            new Endpoint("GET archive (json, a Range)", "GET", "/archive", "", "bytes=0-9", Access.EXPORTER),
            new Endpoint("GET archive (json, filtered)", "GET", "/archive", "type=Observation&from=2020-01-01",
                    null, Access.EXPORTER),
            new Endpoint("GET archive (ndjson)", "GET", "/archive", "format=ndjson", null, Access.EXPORTER),
            new Endpoint("HEAD archive", "HEAD", "/archive", "", null, Access.EXPORTER),
            new Endpoint("GET downloads", "GET", "/downloads", "page=0&size=5", null, Access.EXPORTER),
            new Endpoint("GET payload", "GET", "/payloads/1", "", null, Access.EXPORTER),
            new Endpoint("HEAD payload", "HEAD", "/payloads/1", "", null, Access.EXPORTER));

    /** Health and metrics: no PHI, no token (the probes and the scraper have none). */
    enum PublicEndpoint {
        LIVE("/q/health/live"), READY("/q/health/ready"), METRICS("/q/metrics");

        final String path;

        PublicEndpoint(String path) {
            this.path = path;
        }
    }

    @BeforeAll
    static void createProject() {
        project = "archive-acl-" + UUID.randomUUID().toString().substring(0, 8);
        ConfigServiceProjects.createUnfetched(project, "Access " + project);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (Caller caller : Caller.values()) {
                cases.add(Arguments.of(endpoint, caller));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("matrix")
    void everyEndpointAnswersEachCallerAsTheRolesSay(Endpoint endpoint, Caller caller) throws IOException {
        Outcome expected = caller.expected(endpoint.access);
        Response response = endpoint.call(project, caller.authorization(project));
        int status = response.statusCode();
        String body = response.asString();
        assertThat(status).as("%s by %s: %s", endpoint, caller, body).isLessThan(500);
        switch (expected) {
            case ALLOWED -> {
                assertThat(status).as("%s by %s: %s", endpoint, caller, body).isEqualTo(endpoint.success());
                if (endpoint.path().equals("/archive")) {
                    assertThat(response.contentType()).isEqualTo("application/zip");
                }
                if (endpoint.download()) {
                    assertThat(response.header("X-Download-Id")).isNotBlank();
                }
                if (endpoint.path().startsWith("/payloads/") && endpoint.hasBody()) {
                    assertThat(body).contains("has no instance 1 with a stored payload");
                }
            }
            case UNAUTHORIZED -> {
                assertThat(status).as("%s by %s", endpoint, caller).isEqualTo(401);
                assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
                assertProblem(endpoint, response);
            }
            case FORBIDDEN -> {
                assertThat(status).as("%s by %s", endpoint, caller).isEqualTo(403);
                assertProblem(endpoint, response);
            }
            case NOT_FOUND -> {
                assertThat(status).as("%s by %s", endpoint, caller).isEqualTo(404);
                assertProblem(endpoint, response);
                if (endpoint.hasBody()) {
                    assertThat(problem(body)).isEqualTo(ProjectAccessDenied.notFound(project).toProblem());
                }
            }
        }
        if (expected != Outcome.ALLOWED) {
            assertThat(response.header("X-Download-Id")).as("a refused call starts no download").isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void anUnknownProjectIsTheSame404AsAProjectWithoutARole(Endpoint endpoint) throws IOException {
        String unknown = "archive-acl-none-" + UUID.randomUUID().toString().substring(0, 8);
        // Callers who would be allowed if the project existed: the 404 comes from the service, not the filter.
        for (String token : List.of(TestTokens.admin(), TestTokens.projectUser(unknown, "exporter"),
                TestTokens.projectUser(unknown, "manager"))) {
            Response response = endpoint.call(unknown, "Bearer " + token);
            assertThat(response.statusCode()).as("%s: %s", endpoint, response.asString()).isEqualTo(404);
            if (endpoint.hasBody()) {
                assertThat(response.contentType()).isEqualTo(Problem.MEDIA_TYPE);
                assertThat(problem(response.asString())).isEqualTo(ProjectAccessDenied.notFound(unknown).toProblem());
            }
        }
        // And one without a role in an existing project gets the very same problem, project key aside.
        Response noRole = endpoint.call(project, "Bearer " + TestTokens.projectUser(unknown, "manager"));
        assertThat(noRole.statusCode()).isEqualTo(404);
        if (endpoint.hasBody()) {
            assertThat(problem(noRole.asString()).detail().replace(project, unknown))
                    .isEqualTo(ProjectAccessDenied.notFound(unknown).getMessage());
        }
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    @Test
    void healthAndMetricsNeedNoTokenAndABadOneDoesNotMatter() {
        for (PublicEndpoint endpoint : PublicEndpoint.values()) {
            for (Caller caller : List.of(Caller.ANONYMOUS, Caller.EXPIRED_TOKEN, Caller.FOREIGN_KEY_TOKEN,
                    Caller.NO_ROLE)) {
                String authorization = caller.authorization(project);
                RequestSpecification request = authorization == null
                        ? given().noFilters()
                        : given().header("Authorization", authorization);
                assertThat(request.when().get(endpoint.path).statusCode()).as("%s by %s", endpoint, caller)
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void aReaderSeesNothingOfTheArchiveNorWhoDownloadedIt() {
        String reader = "Bearer " + TestTokens.projectUser(project, "reader");
        Response response = given().header("Authorization", reader)
                .when().get("/api/projects/{key}/downloads", project).then().extract().response();
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.asString()).contains("exporter").doesNotContain("downloadedBy");
    }

    private static void assertProblem(Endpoint endpoint, Response response) {
        if (endpoint.hasBody()) {
            assertThat(response.contentType()).isEqualTo(Problem.MEDIA_TYPE);
            assertThat(response.asString()).doesNotContain("Exception").doesNotContain("at org.");
        }
    }

    private static Problem problem(String body) throws IOException {
        JsonNode node = JSON.readTree(body);
        return new Problem(node.path("type").asText(), node.path("title").asText(), node.path("status").asInt(),
                node.path("detail").asText(), List.of());
    }
}
