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
import java.util.Arrays;
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
import org.fhirsnapshot.localoidc.LocalTokenIssuer;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may call what: every endpoint of mrn-service (public and internal) × every kind of caller, against the real
 * token verification and the real config-service. The {@link #MATRIX} is the policy, written out: one row per
 * endpoint, one outcome per caller (in {@link Who} order). Test names carry endpoint templates, never an MRN.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class AccessControlTest {

    /** What a caller gets. */
    enum Outcome {
        /** 401 problem with a Bearer challenge. */
        UNAUTHORIZED,
        /** 404 problem, identical to the one for a project that does not exist. */
        HIDDEN,
        /** 403 problem. */
        FORBIDDEN,
        /** The call runs (no 401, 403, access 404 or 5xx). */
        ALLOWED;

        static Outcome of(String code) {
            return switch (code) {
                case "401" -> UNAUTHORIZED;
                case "404" -> HIDDEN;
                case "403" -> FORBIDDEN;
                case "ok" -> ALLOWED;
                default -> throw new IllegalArgumentException(code);
            };
        }
    }

    /** The callers, in the column order of {@link #MATRIX}. */
    enum Who {
        ANONYMOUS, EXPIRED, OTHER_KEY, NO_GROUPS, READER, EXPORTER, MANAGER, OTHER_PROJECT_MANAGER, ADMIN, SERVICE;

        /** The Authorization header value, or null for none. */
        String authorization(String project) {
            return switch (this) {
                case ANONYMOUS -> null;
                case EXPIRED -> bearer(TestTokens.expiredAdmin());
                case OTHER_KEY -> bearer(LocalTokenIssuer.fromPem(LocalTokenIssuer.generatePrivateKeyPem())
                        .issue("intruder", List.of("admin", "service"), Duration.ofMinutes(5)));
                case NO_GROUPS -> bearer(TestTokens.user("nobody"));
                case READER -> bearer(TestTokens.projectUser(project, "reader"));
                case EXPORTER -> bearer(TestTokens.projectUser(project, "exporter"));
                case MANAGER -> bearer(TestTokens.projectUser(project, "manager"));
                case OTHER_PROJECT_MANAGER -> bearer(TestTokens.projectUser(Fixtures.newProjectKey(), "manager"));
                case ADMIN -> bearer(TestTokens.admin());
                case SERVICE -> bearer(TestTokens.service());
            };
        }

        private static String bearer(String token) {
            return "Bearer " + token;
        }
    }

    /** One endpoint: how to call it for a project, as caller {@code who}. */
    record Endpoint(String name, Call call) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Call {
        Answer send(RequestSpecification request, String project, Who who) throws Exception;
    }

    /** Status, content type, WWW-Authenticate and body of an answer. */
    record Answer(int status, String contentType, String challenge, String body) {
        static Answer of(Response response) {
            return new Answer(response.statusCode(), response.contentType(), response.header("WWW-Authenticate"),
                    response.body().asString());
        }
    }

    private static final Endpoint POST_MRNS_JSON = new Endpoint("POST /api/projects/{key}/mrns (JSON)",
            (request, project, who) -> Answer.of(request.contentType(ContentType.JSON)
                    .body(Map.of("mrns", List.of("N-" + who.ordinal()))).post("/api/projects/{key}/mrns", project)));
    private static final Endpoint POST_MRNS_TEXT = new Endpoint("POST /api/projects/{key}/mrns (text)",
            (request, project, who) -> Answer.of(request.contentType(ContentType.TEXT).body("T-" + who.ordinal() + "\n")
                    .post("/api/projects/{key}/mrns", project)));
    private static final Endpoint DELETE_MRN = new Endpoint("DELETE /api/projects/{key}/mrns/{mrn}",
            (request, project, who) -> Answer.of(request.delete("/api/projects/{key}/mrns/{mrn}", project,
                    "D-" + who.ordinal())));
    private static final Endpoint GET_MRNS = new Endpoint("GET /api/projects/{key}/mrns",
            (request, project, who) -> Answer.of(request.get("/api/projects/{key}/mrns", project)));
    private static final Endpoint GET_INSTANCES = new Endpoint("GET /api/projects/{key}/instances",
            (request, project, who) -> Answer.of(request.get("/api/projects/{key}/instances", project)));
    private static final Endpoint GET_SUMMARY = new Endpoint("GET /api/projects/{key}/summary",
            (request, project, who) -> Answer.of(request.get("/api/projects/{key}/summary", project)));
    private static final Endpoint GET_EVENTS = new Endpoint("GET /api/projects/{key}/events",
            (request, project, who) -> events(project, who));
    private static final Endpoint RECONCILE = new Endpoint("POST /internal/projects/{key}/reconcile",
            (request, project, who) -> Answer.of(request.contentType(ContentType.JSON)
                    .body(new ReconcileRequest(Fixtures.FHIR_SYSTEM_ID, List.of(Fixtures.vitalSigns(931, 1))))
                    .post("/internal/projects/{key}/reconcile", project)));
    private static final Endpoint RETRY_FAILED = new Endpoint("POST /internal/projects/{key}/retry-failed",
            (request, project, who) -> Answer.of(request.post("/internal/projects/{key}/retry-failed", project)));
    private static final Endpoint ARCHIVE_ENTRIES = new Endpoint("GET /internal/projects/{key}/archive-entries",
            (request, project, who) -> Answer.of(request.get("/internal/projects/{key}/archive-entries", project)));
    private static final Endpoint SWEEP = new Endpoint("POST /internal/sweep",
            (request, project, who) -> Answer.of(request.post("/internal/sweep")));
    private static final Endpoint CLAIM = new Endpoint("POST /internal/instances/claim",
            (request, project, who) -> Answer.of(request.contentType(ContentType.JSON)
                    .body(new ClaimRequest(List.of(), "access-test", 0)).post("/internal/instances/claim")));

    /**
     * The policy. Columns: anonymous, expired token, token of another key, user without groups, reader, exporter,
     * manager, manager of another project, admin, service. MRNs are PHI: every MRN call needs manager.
     */
    private static final Object[][] MATRIX = {
            {POST_MRNS_JSON, "401 401 401 404 403 403 ok 404 ok 404"},
            {POST_MRNS_TEXT, "401 401 401 404 403 403 ok 404 ok 404"},
            {DELETE_MRN, "401 401 401 404 403 403 ok 404 ok 404"},
            {GET_MRNS, "401 401 401 404 403 403 ok 404 ok 404"},
            {GET_INSTANCES, "401 401 401 404 ok ok ok 404 ok 404"},
            {GET_SUMMARY, "401 401 401 404 ok ok ok 404 ok 404"},
            {GET_EVENTS, "401 401 401 404 ok ok ok 404 ok 404"},
            {RECONCILE, "401 401 401 403 403 403 403 403 403 ok"},
            {RETRY_FAILED, "401 401 401 403 403 403 403 403 403 ok"},
            {ARCHIVE_ENTRIES, "401 401 401 403 403 403 403 403 403 ok"},
            {SWEEP, "401 401 401 403 403 403 403 403 403 ok"},
            {CLAIM, "401 401 401 403 403 403 403 403 403 ok"},
    };

    /** The operations the table covers, as the OpenAPI document names them (both uploads are one operation). */
    private static final Set<String> COVERED = Set.of("POST /api/projects/{key}/mrns",
            "DELETE /api/projects/{key}/mrns/{mrn}", "GET /api/projects/{key}/mrns",
            "GET /api/projects/{key}/instances", "GET /api/projects/{key}/summary", "GET /api/projects/{key}/events",
            "POST /internal/projects/{key}/reconcile", "POST /internal/projects/{key}/retry-failed",
            "GET /internal/projects/{key}/archive-entries", "POST /internal/sweep", "POST /internal/instances/claim");

    private static volatile String project;

    @TestHTTPResource("/")
    URL root;

    private static URL rootUrl;

    /** One project for the whole matrix: in config-service, with MRNs (one to delete per caller) and instances. */
    private static synchronized String project() {
        if (project == null) {
            String key = Fixtures.projectInConfigService();
            List<String> mrns = new ArrayList<>(List.of("A-1", "A-2"));
            IntStream.range(0, Who.values().length).forEach(i -> mrns.add("D-" + i));
            given().contentType(ContentType.JSON).body(Map.of("mrns", mrns)).post("/api/projects/{key}/mrns", key)
                    .then().statusCode(200);
            Fixtures.reconcile(key, List.of(Fixtures.vitalSigns(930, 1)));
            project = key;
        }
        return project;
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Object[] row : MATRIX) {
            String[] codes = ((String) row[1]).split(" ");
            assertThat(codes).hasSize(Who.values().length);
            for (Who who : Who.values()) {
                cases.add(Arguments.of(row[0], who, Outcome.of(codes[who.ordinal()])));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} by {1} -> {2}")
    @MethodSource("matrix")
    void everyCallerGetsWhatThePolicySays(Endpoint endpoint, Who who, Outcome expected) throws Exception {
        rootUrl = root;
        String key = project();
        RequestSpecification request = given().noFilters();
        String authorization = who.authorization(key);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }

        Answer answer = endpoint.call().send(request, key, who);

        Problem hidden = ProjectAccessDenied.notFound(key).toProblem();
        switch (expected) {
            case UNAUTHORIZED -> {
                assertProblem(answer, 401);
                assertThat(answer.challenge()).startsWith("Bearer");
            }
            case HIDDEN -> {
                assertProblem(answer, 404);
                JsonNode body = TestKafka.JSON.readTree(answer.body());
                assertThat(body.path("title").asText()).isEqualTo(hidden.title());
                assertThat(body.path("detail").asText()).isEqualTo(hidden.detail());
            }
            case FORBIDDEN -> assertProblem(answer, 403);
            case ALLOWED -> {
                assertThat(answer.status()).as("status").isNotIn(401, 403).isLessThan(500);
                if (answer.status() == 404) {
                    assertThat(answer.body()).doesNotContain(hidden.detail());
                }
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
        assertThat(Arrays.stream(MATRIX).map(row -> row[0].toString().replace(" (JSON)", "").replace(" (text)", ""))
                .collect(Collectors.toSet())).isEqualTo(COVERED);
        assertThat(matrix()).hasSize(MATRIX.length * Who.values().length).hasSize(120);
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
    private static Answer events(String project, Who who) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create(rootUrl + "api/projects/" + project + "/events")).timeout(Duration.ofSeconds(20));
        String authorization = who.authorization(project);
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
