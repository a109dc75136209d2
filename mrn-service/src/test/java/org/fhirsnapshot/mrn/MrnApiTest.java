package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MrnChanged;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

/** The public MRN API against the real config-service (started as a process by the test resource). */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class MrnApiTest {

    @TestHTTPResource("/")
    URL root;

    /** Creates a FHIR system and a project in config-service; returns the project key. */
    private static String projectInConfigService() {
        return Fixtures.projectInConfigService();
    }

    @Test
    void jsonUploadAddsValidMrnsAndRejectsTheOthersWithAReason() {
        String project = projectInConfigService();

        given().contentType(ContentType.JSON)
                .body(Map.of("mrns", List.of(" A-1 ", "A-1", "B.2", "bad mrn", "x".repeat(65), "C_3")))
                .post("/api/projects/{key}/mrns", project).then().statusCode(200)
                .body("added", equalTo(3)).body("alreadyPresent", equalTo(0)).body("duplicates", equalTo(1))
                .body("rejected", hasSize(2))
                .body("rejected[0].mrn", equalTo("bad mrn"))
                .body("rejected[0].reason", containsString("letters, digits"))
                .body("rejected[0].position", equalTo(4))
                .body("rejected[1].reason", equalTo("longer than 64 characters"))
                .body("rejected[1].position", equalTo(5));

        assertThat(TestDatabase.query("select mrn from mrn where project_key = ? and active order by mrn", project))
                .extracting(row -> row.get("mrn")).containsExactly("A-1", "B.2", "C_3");
        assertThat(TestDatabase.count("select count(*) from project where project_key = ?", project)).isEqualTo(1);
    }

    @Test
    void textUploadTakesOneMrnALineAndCountsThoseAlreadyPresent() {
        String project = projectInConfigService();
        given().contentType(ContentType.TEXT).body("A-1\nB-2\n").post("/api/projects/{key}/mrns", project).then()
                .statusCode(200).body("added", equalTo(2));

        given().contentType(ContentType.TEXT).body("A-1\r\n\n  \nD-4\n").post("/api/projects/{key}/mrns", project)
                .then().statusCode(200).body("added", equalTo(1)).body("alreadyPresent", equalTo(1))
                .body("rejected", hasSize(0));
    }

    @Test
    void reAddingARemovedMrnReactivatesItAndEveryChangeEmitsIdsOnly() {
        String project = projectInConfigService();
        try (TestKafka.Reader reader = TestKafka.read(Topics.MRN_CHANGED)) {
            given().contentType(ContentType.JSON).body(Map.of("mrns", List.of("K-1", "K-2")))
                    .post("/api/projects/{key}/mrns", project).then().statusCode(200).body("added", equalTo(2));
            List<Long> ids = TestDatabase.queryLongs("select id from mrn where project_key = ? order by mrn", project);

            given().delete("/api/projects/{key}/mrns/{mrn}", project, "K-1").then().statusCode(204);
            given().contentType(ContentType.JSON).body(Map.of("mrns", List.of("K-1", "K-2")))
                    .post("/api/projects/{key}/mrns", project).then().statusCode(200).body("added", equalTo(1))
                    .body("alreadyPresent", equalTo(1));

            assertThat(
                    TestDatabase.query("select id, active, removed_at from mrn where project_key = ? and mrn = 'K-1'",
                            project))
                    .singleElement().satisfies(row -> {
                        assertThat(row.get("id")).isEqualTo(ids.get(0));
                        assertThat(row.get("active")).isEqualTo(true);
                        assertThat(row.get("removed_at")).isNull();
                    });
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                List<MrnChanged> events = new ArrayList<>();
                for (var record : reader.poll()) {
                    if (project.equals(record.key())) {
                        assertThat(record.value()).doesNotContain("K-1").doesNotContain("K-2");
                        events.add(TestKafka.JSON.readValue(record.value(), MrnChanged.class));
                    }
                }
                assertThat(events).hasSize(3);
                assertThat(events.get(0).added()).containsExactlyElementsOf(ids);
                assertThat(events.get(1).removed()).containsExactly(ids.get(0));
                assertThat(events.get(2).added()).containsExactly(ids.get(0));
            });
        }
    }

    @Test
    void anEmptyListIsRefusedWithAProblem() {
        String project = projectInConfigService();
        given().contentType(ContentType.JSON).body(Map.of("mrns", List.of())).post("/api/projects/{key}/mrns", project)
                .then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("mrns"));
        given().contentType(ContentType.TEXT).body("\n  \n").post("/api/projects/{key}/mrns", project).then()
                .statusCode(400).contentType(startsWith("application/problem+json"));
    }

    @Test
    void moreThanTheLimitIsRefusedAndNothingIsStored() {
        String project = projectInConfigService();
        String body = String.join("\n", IntStream.rangeClosed(1, 100_001).mapToObj(i -> "M" + i).toList());

        given().contentType(ContentType.TEXT).body(body).post("/api/projects/{key}/mrns", project).then()
                .statusCode(413).contentType(startsWith("application/problem+json"))
                .body("detail", containsString("at most 100000 MRNs"));

        assertThat(TestDatabase.count("select count(*) from mrn where project_key = ?", project)).isZero();
    }

    @Test
    void exactlyTheLimitIsAccepted() {
        String project = projectInConfigService();
        String body = String.join("\n", IntStream.rangeClosed(1, 100_000).mapToObj(i -> "M" + i).toList());

        given().contentType(ContentType.TEXT).body(body).post("/api/projects/{key}/mrns", project).then()
                .statusCode(200).body("added", equalTo(100_000));
    }

    @Test
    void anUnknownProjectIsA404ProblemIdenticalToNoRoleInTheProject() {
        String unknown = Fixtures.newProjectKey();
        Problem noRole = ProjectAccessDenied.notFound(unknown).toProblem();
        given().contentType(ContentType.JSON).body(Map.of("mrns", List.of("A-1")))
                .post("/api/projects/{key}/mrns", unknown).then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("title", equalTo(noRole.title()))
                .body("detail", equalTo(noRole.detail()));
        given().get("/api/projects/{key}/summary", unknown).then().statusCode(404)
                .body("detail", equalTo(noRole.detail()));
        given().get("/api/projects/{key}/mrns", unknown).then().statusCode(404)
                .body("detail", equalTo(noRole.detail()));
        given().get("/api/projects/{key}/instances", unknown).then().statusCode(404)
                .body("detail", equalTo(noRole.detail()));
        given().delete("/api/projects/{key}/mrns/{mrn}", unknown, "A-1").then().statusCode(404)
                .body("detail", equalTo(noRole.detail()));
        given().get("/internal/projects/{key}/archive-entries", unknown).then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
        assertThat(TestDatabase.count("select count(*) from mrn where project_key = ?", unknown)).isZero();
    }

    @Test
    void theEventStreamOfAnUnknownProjectEndsWithAProblemEvent() throws Exception {
        String unknown = Fixtures.newProjectKey();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(root + "api/projects/" + unknown + "/events"))
                        .header("Authorization", "Bearer " + TestTokens.admin()).timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).contains("event:problem").contains("\"status\":404")
                .contains(ProjectAccessDenied.notFound(unknown).getMessage());
    }

    @Test
    void aProjectWithoutMrnsYetHasAnEmptySummary() {
        String project = projectInConfigService();
        given().get("/api/projects/{key}/summary", project).then().statusCode(200).body("mrns", equalTo(0))
                .body("instances", equalTo(Map.of("pending", 0, "fetching", 0, "completed", 0, "failed", 0,
                        "outdated", 0, "deleted", 0)))
                .body("protected", equalTo(0)).body("byMapping", hasSize(0));
    }

    @Test
    void readinessChecksTheDatabaseAndKafka() {
        List<String> checks = given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .extract().jsonPath().getList("checks.name", String.class);

        assertThat(checks).anySatisfy(name -> assertThat(name).containsIgnoringCase("PostgreSQL"))
                .anySatisfy(name -> assertThat(name).containsIgnoringCase("Kafka"));
    }
}
