package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.contracts.internal.ReleaseRequest;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.AccessMatrix.Access;
import org.fhirsnapshot.testinfra.AccessMatrix.Caller;
import org.fhirsnapshot.testinfra.AccessMatrix.Outcome;
import org.fhirsnapshot.testinfra.AccessMatrix;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may call what: every endpoint of mrn-service (public and internal) × every {@link Caller} of test-infra's
 * {@link AccessMatrix}, against the real token verification and the real config-service. Each endpoint names its
 * {@link Access} rule; the expected outcome comes from {@link Caller#expected}. Test names carry endpoint templates,
 * never an MRN.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class AccessControlTest {

    /** One endpoint: how to call it for a project, as caller {@code caller}, and who may. */
    record Endpoint(String name, Access access, Call call) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Call {
        Answer send(RequestSpecification request, String project, Caller caller) throws Exception;
    }

    /** Status, content type, WWW-Authenticate and body of an answer. */
    record Answer(int status, String contentType, String challenge, String body) {
        static Answer of(Response response) {
            return new Answer(response.statusCode(), response.contentType(), response.header("WWW-Authenticate"),
                    response.body().asString());
        }
    }

    /** MRNs are PHI: every MRN call needs manager. */
    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST /api/projects/{key}/mrns (JSON)", Access.MANAGER,
                    (request, project, caller) -> Answer.of(request.contentType(ContentType.JSON)
                            .body(Map.of("mrns", List.of("N-" + caller.ordinal())))
                            .post("/api/projects/{key}/mrns", project))),
            new Endpoint("POST /api/projects/{key}/mrns (text)", Access.MANAGER,
                    (request, project, caller) -> Answer.of(request.contentType(ContentType.TEXT)
                            .body("T-" + caller.ordinal() + "\n").post("/api/projects/{key}/mrns", project))),
            new Endpoint("DELETE /api/projects/{key}/mrns/{mrn}", Access.MANAGER,
                    (request, project, caller) -> Answer.of(request.delete("/api/projects/{key}/mrns/{mrn}", project,
                            "D-" + caller.ordinal()))),
            new Endpoint("GET /api/projects/{key}/mrns", Access.MANAGER,
                    (request, project, caller) -> Answer.of(request.get("/api/projects/{key}/mrns", project))),
            new Endpoint("GET /api/projects/{key}/instances", Access.READER,
                    (request, project, caller) -> Answer.of(request.get("/api/projects/{key}/instances", project))),
            new Endpoint("GET /api/projects/{key}/summary", Access.READER,
                    (request, project, caller) -> Answer.of(request.get("/api/projects/{key}/summary", project))),
            new Endpoint("GET /api/projects/{key}/events", Access.READER,
                    (request, project, caller) -> events(project, caller)),
            new Endpoint("POST /internal/projects/{key}/reconcile", Access.SERVICE,
                    (request, project, caller) -> Answer.of(request.contentType(ContentType.JSON)
                            .body(new ReconcileRequest(Fixtures.FHIR_SYSTEM_ID,
                                    List.of(Fixtures.vitalSigns(931, 1))))
                            .post("/internal/projects/{key}/reconcile", project))),
            new Endpoint("POST /internal/projects/{key}/retry-failed", Access.SERVICE,
                    (request, project, caller) -> Answer
                            .of(request.post("/internal/projects/{key}/retry-failed", project))),
            new Endpoint("GET /internal/projects/{key}/archive-entries", Access.SERVICE,
                    (request, project, caller) -> Answer
                            .of(request.get("/internal/projects/{key}/archive-entries", project))),
            new Endpoint("POST /internal/sweep", Access.SERVICE,
                    (request, project, caller) -> Answer.of(request.post("/internal/sweep"))),
            new Endpoint("POST /internal/instances/claim", Access.SERVICE,
                    (request, project, caller) -> Answer.of(request.contentType(ContentType.JSON)
                            .body(new ClaimRequest(List.of(), "access-test", 0)).post("/internal/instances/claim"))),
            new Endpoint("POST /internal/instances/release", Access.SERVICE,
                    (request, project, caller) -> Answer.of(request.contentType(ContentType.JSON)
                            .body(new ReleaseRequest("access-test", List.of()))
                            .post("/internal/instances/release"))));

    /** The operations the table covers, as the OpenAPI document names them (both uploads are one operation). */
    private static final Set<String> COVERED = Set.of("POST /api/projects/{key}/mrns",
            "DELETE /api/projects/{key}/mrns/{mrn}", "GET /api/projects/{key}/mrns",
            "GET /api/projects/{key}/instances", "GET /api/projects/{key}/summary", "GET /api/projects/{key}/events",
            "POST /internal/projects/{key}/reconcile", "POST /internal/projects/{key}/retry-failed",
            "GET /internal/projects/{key}/archive-entries", "POST /internal/sweep", "POST /internal/instances/claim",
            "POST /internal/instances/release");

    private static volatile String project;

    @TestHTTPResource("/")
    URL root;

    private static URL rootUrl;

    /** One project for the whole matrix: in config-service, with MRNs (one to delete per caller) and instances. */
    private static synchronized String project() {
        if (project == null) {
            String key = Fixtures.projectInConfigService();
            List<String> mrns = new ArrayList<>(List.of("A-1", "A-2"));
            IntStream.range(0, Caller.values().length).forEach(i -> mrns.add("D-" + i));
            given().contentType(ContentType.JSON).body(Map.of("mrns", mrns)).post("/api/projects/{key}/mrns", key)
                    .then().statusCode(200);
            Fixtures.reconcile(key, List.of(Fixtures.vitalSigns(930, 1)));
            project = key;
        }
        return project;
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (Caller caller : Caller.values()) {
                cases.add(Arguments.of(endpoint, caller, caller.expected(endpoint.access())));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} by {1} -> {2}")
    @MethodSource("matrix")
    void everyCallerGetsWhatThePolicySays(Endpoint endpoint, Caller caller, Outcome expected) throws Exception {
        rootUrl = root;
        String key = project();
        RequestSpecification request = given().noFilters();
        String authorization = caller.authorization(key);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }

        Answer answer = endpoint.call().send(request, key, caller);

        // status only: an answer body may carry MRNs
        assertThat(expected.matches(answer.status(), answer.body())).as("%s by %s: status %d, expected %s",
                endpoint, caller, answer.status(), expected).isTrue();
        switch (expected) {
            case UNAUTHORIZED -> {
                assertProblem(answer, 401);
                assertThat(answer.challenge()).startsWith("Bearer");
            }
            case NOT_FOUND -> {
                assertProblem(answer, 404);
                Problem hidden = ProjectAccessDenied.notFound(key).toProblem();
                JsonNode body = TestKafka.JSON.readTree(answer.body());
                assertThat(body.path("title").asText()).isEqualTo(hidden.title());
                assertThat(body.path("detail").asText()).isEqualTo(hidden.detail());
            }
            case FORBIDDEN -> assertProblem(answer, 403);
            case ALLOWED -> {
            }
        }
    }

    @Test
    void theMatrixCoversEveryOperationOfTheService() {
        JsonNode paths = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .extract().as(JsonNode.class).path("paths");
        Set<String> operations = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(
                    method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }

        assertThat(operations).containsExactlyInAnyOrderElementsOf(COVERED);
        assertThat(ENDPOINTS.stream().map(endpoint -> endpoint.name().replace(" (JSON)", "").replace(" (text)", ""))
                .collect(Collectors.toSet())).isEqualTo(COVERED);
        assertThat(matrix()).hasSize(ENDPOINTS.size() * Caller.values().length).hasSize(130);
    }

    @Test
    void aGenuinelyUnknownProjectLooksExactlyLikeOneWithoutARole() {
        String unknown = Fixtures.newProjectKey();
        Problem hidden = ProjectAccessDenied.notFound(unknown).toProblem();
        // admin: passes the role check, so the 404 comes from mrn-service asking config-service
        String asAdmin = given().get("/api/projects/{key}/summary", unknown).then().statusCode(404).extract()
                .asString();
        // a user with no role there: refused by the role check
        String asStranger = given().noFilters().header("Authorization", "Bearer " + TestTokens.user("nobody"))
                .get("/api/projects/{key}/summary", unknown).then().statusCode(404).extract().asString();

        assertThat(asAdmin).isEqualTo(asStranger).contains(hidden.detail());
    }

    @Test
    void readersSeeInstancesWithoutMrnsAndMayNotFilterByMrn() {
        String key = project();
        String reader = "Bearer " + TestTokens.projectUser(key, "reader");
        String exporter = "Bearer " + TestTokens.projectUser(key, "exporter");
        String manager = "Bearer " + TestTokens.projectUser(key, "manager");

        for (String belowManager : List.of(reader, exporter)) {
            given().noFilters().header("Authorization", belowManager).get("/api/projects/{key}/instances", key).then()
                    .statusCode(200).body("items", not(empty()))
                    .body("items[0]", not(hasKey("mrn"))).body("items[0].id", notNullValue());
            given().noFilters().header("Authorization", belowManager).queryParam("mrn", "A-1")
                    .get("/api/projects/{key}/instances", key).then().statusCode(403)
                    .contentType(Problem.MEDIA_TYPE).body("detail", not(containsString("A-1")));
        }
        given().noFilters().header("Authorization", manager).queryParam("mrn", "A-1")
                .get("/api/projects/{key}/instances", key).then().statusCode(200).body("items.mrn", hasItem("A-1"))
                .body("items.find { it.mrn != 'A-1' }", nullValue());
        given().noFilters().header("Authorization", reader).get("/api/projects/{key}/summary", key).then()
                .statusCode(200).body("mrns", greaterThan(0));
    }

    @Test
    void mrnServiceCallsConfigServiceWithItsOwnServiceToken() {
        // A project mrn-service has never seen is checked with config-service's internal API, which only a service
        // token opens: a manager's upload to a fresh project works only because mrn-service sends its own token.
        String fresh = Fixtures.projectInConfigService();
        given().noFilters().header("Authorization", "Bearer " + TestTokens.projectUser(fresh, "manager"))
                .contentType(ContentType.TEXT).body("S-1\n").post("/api/projects/{key}/mrns", fresh).then()
                .statusCode(200).body("added", equalTo(1));
        String configService = ConfigProvider.getConfig().getValue("quarkus.rest-client.config-service.url",
                String.class);
        given().noFilters().header("Authorization", "Bearer " + TestTokens.admin()).baseUri(configService)
                .get("/internal/projects/{key}/mappings", fresh).then().statusCode(403);
    }

    private static void assertProblem(Answer answer, int status) {
        assertThat(answer.status()).as("status").isEqualTo(status);
        assertThat(answer.contentType()).startsWith(Problem.MEDIA_TYPE);
    }

    /** The event stream: headers only when it opens (then closed), the whole body when it is refused. */
    private static Answer events(String project, Caller caller) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create(rootUrl + "api/projects/" + project + "/events")).timeout(Duration.ofSeconds(20));
        String authorization = caller.authorization(project);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<InputStream> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String contentType = response.headers().firstValue("content-type").orElse("");
        String challenge = response.headers().firstValue("www-authenticate").orElse(null);
        try (InputStream body = response.body()) {
            if (response.statusCode() == 200) {
                assertThat(contentType).startsWith("text/event-stream");
                return new Answer(200, contentType, challenge, "");
            }
            return new Answer(response.statusCode(), contentType, challenge,
                    new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
