package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.AccessMatrix.Access;
import org.fhirsnapshot.testinfra.AccessMatrix.Caller;
import org.fhirsnapshot.testinfra.AccessMatrix.Outcome;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of config-service against every kind of caller: the authorisation matrix of issue 6 for this
 * service. A project-scoped call about a project the caller has no role in is the same 404 as for a project that does
 * not exist; internal endpoints take only service tokens.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class AccessControlTest {

    /** One endpoint: method, address (with the fixture's ids filled in), body, and who may call it. */
    private record Endpoint(String method, String path, Supplier<Object> body, Access access) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @Test
    void everyCallerGetsWhatItsRolesAllowOnEveryEndpoint() {
        long system = ApiFixtures.createSystem();
        long unusedSystem = ApiFixtures.createSystem();
        String project = ApiFixtures.createProject(system);
        long mapping = ApiFixtures.createMapping(project, "Vitals", "predefined", "vital-signs");
        Map<String, Object> systemBody = Map.of("name", "Sandbox", "baseUrl", "http://127.0.0.1:8090/fhir");
        String p = "/api/projects/" + project;
        List<Endpoint> endpoints = List.of(
                new Endpoint("POST", "/api/fhir-systems", () -> systemBody, Access.ADMIN),
                new Endpoint("GET", "/api/fhir-systems", null, Access.ADMIN),
                new Endpoint("GET", "/api/fhir-systems/" + system, null, Access.ADMIN),
                new Endpoint("PUT", "/api/fhir-systems/" + system, () -> systemBody, Access.ADMIN),
                new Endpoint("DELETE", "/api/fhir-systems/" + unusedSystem, null, Access.ADMIN),
                new Endpoint("POST", "/api/fhir-systems/" + system + "/check", null, Access.ADMIN),
                new Endpoint("GET", "/api/fhir-systems/" + system + "/jwks.json", null, Access.PUBLIC),
                new Endpoint("GET", "/api/catalog/predefined", null, Access.AUTHENTICATED),
                new Endpoint("POST", "/api/catalog/validate", () -> Map.of("type", "custom", "spec",
                        "Observation?category=laboratory"), Access.AUTHENTICATED),
                new Endpoint("POST", "/api/projects", () -> Map.of("key", ApiFixtures.uniqueKey("m"), "name", "M",
                        "fhirSystemId", system, "enabled", true), Access.ADMIN),
                new Endpoint("GET", "/api/projects", null, Access.AUTHENTICATED),
                new Endpoint("GET", p, null, Access.READER),
                new Endpoint("PUT", p, () -> Map.of("name", "Renamed", "fhirSystemId", system, "enabled", true),
                        Access.ADMIN),
                new Endpoint("GET", p + "/mappings", null, Access.READER),
                new Endpoint("GET", p + "/mappings/" + mapping, null, Access.READER),
                new Endpoint("POST", p + "/mappings", () -> Map.of("name", ApiFixtures.uniqueKey("Labs"), "type",
                        "custom", "spec", "Observation?category=laboratory"), Access.MANAGER),
                new Endpoint("PUT", p + "/mappings/" + mapping, () -> Map.of("name", "Vitals", "type", "predefined",
                        "spec", "vital-signs"), Access.MANAGER),
                new Endpoint("DELETE", p + "/mappings/" + mapping, null, Access.MANAGER),
                new Endpoint("GET", "/internal/projects/" + project + "/mappings", null, Access.SERVICE),
                new Endpoint("GET", "/internal/fhir-systems/" + system, null, Access.SERVICE),
                new Endpoint("POST", "/internal/fhir-systems/" + system + "/slow-down", () -> Map.of("millis", 1),
                        Access.SERVICE),
                new Endpoint("POST", "/internal/fhir-systems/" + system + "/request-permits",
                        () -> Map.of("wanted", 1, "requestsPerSecond", 1000), Access.SERVICE),
                new Endpoint("POST", "/internal/fhir-systems/" + system + "/request-slots", () -> Map.of("holder",
                        "matrix", "wanted", 1, "inUse", 0, "maxConcurrency", 4), Access.SERVICE));

        List<String> mismatches = new ArrayList<>();
        int cells = 0;
        for (Endpoint endpoint : endpoints) {
            for (Caller caller : Caller.values()) {
                cells++;
                Outcome expected = caller.expected(endpoint.access());
                Response response = call(endpoint, caller.authorization(project));
                int status = response.statusCode();
                String body = response.asString();
                if (!expected.matches(status, body)) {
                    mismatches.add(endpoint + " as " + caller + ": expected " + expected + ", got " + status + " "
                            + body);
                } else if (expected != Outcome.ALLOWED) {
                    assertThat(response.contentType()).as(endpoint + " as " + caller)
                            .startsWith(Problem.MEDIA_TYPE);
                    if (expected == Outcome.UNAUTHORIZED) {
                        assertThat(response.header("WWW-Authenticate")).as(endpoint + " as " + caller)
                                .startsWith("Bearer");
                    }
                }
            }
        }
        assertThat(mismatches).as("matrix of %d cells", cells).isEmpty();
        assertThat(cells).isEqualTo(endpoints.size() * Caller.values().length);
    }

    @Test
    void aProjectNobodyHasIsTheSameNotFoundAsAProjectTheCallerHasNoRoleIn() {
        String project = ApiFixtures.createProject();
        String outsider = "Bearer " + TestTokens.projectUser("elsewhere", "manager");

        String noRole = given().header("Authorization", outsider).when().get("/api/projects/{key}", project)
                .then().statusCode(404).extract().asString();
        String missing = given().when().get("/api/projects/{key}", "no-such-project-" + project)
                .then().statusCode(404).extract().asString();

        assertThat(noRole.replace(project, "KEY")).isEqualTo(
                missing.replace("no-such-project-" + project, "KEY"));
    }

    @Test
    void theProjectListShowsOnlyTheCallersProjects() {
        String mine = ApiFixtures.createProject();
        String theirs = ApiFixtures.createProject();

        List<String> seen = given().header("Authorization", "Bearer " + TestTokens.projectUser(mine, "reader"))
                .queryParam("size", 500).when().get("/api/projects")
                .then().statusCode(200).extract().jsonPath().getList("items.key", String.class);
        List<String> none = given().header("Authorization", "Bearer " + TestTokens.user("nobody"))
                .when().get("/api/projects").then().statusCode(200).extract().jsonPath().getList("items.key");

        assertThat(seen).containsExactly(mine).doesNotContain(theirs);
        assertThat(none).isEmpty();
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().noFilters().when().get("/q/health/ready").then().statusCode(200);
        given().noFilters().when().get("/q/metrics").then().statusCode(200);
    }

    private static Response call(Endpoint endpoint, String authorization) {
        RequestSpecification request = authorization == null
                ? given().noFilters()
                : given().header("Authorization", authorization);
        if (endpoint.body() != null) {
            request = request.contentType(ContentType.JSON).body(endpoint.body().get());
        }
        return request.when().request(endpoint.method(), endpoint.path());
    }
}
