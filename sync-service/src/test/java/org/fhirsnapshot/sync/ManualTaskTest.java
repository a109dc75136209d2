package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.junit.jupiter.api.Test;

/** Flow 6 and the public task API: full sync, retry failed, the task list and a task's history. */
@QuarkusTest
class ManualTaskTest {

    private static final Duration DONE = Duration.ofSeconds(45);

    @Test
    void fullSyncCompletesWithAReportAndASecondOneHasNothingToDo() {
        String project = SiblingServices.newProject();
        SiblingServices.addMapping(project, "medications");
        SiblingServices.addMrns(project, "FULL-1", "FULL-2");
        await().atMost(DONE).untilAsserted(() -> assertThat(SiblingServices.instances(project)).hasSize(2));

        long first = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202)
                .body("type", equalTo("full-sync")).body("status", equalTo("pending"))
                .body("trigger", equalTo("manual")).body("progress.done", equalTo(0))
                .header("Location", containsString("/api/projects/" + project + "/tasks/"))
                .extract().jsonPath().getLong("id");
        JsonPath done = awaitFinished(project, first);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getMap("report")).containsKeys("created", "outdated", "deleted", "requeued");
        assertThat(done.getMap("progress")).isEqualTo(Map.of("done", 2, "total", 2));
        assertThat(done.getString("startedAt")).isNotNull();
        assertThat(done.getString("finishedAt")).isNotNull();

        long second = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202).extract().jsonPath()
                .getLong("id");
        assertThat(second).isNotEqualTo(first);
        JsonPath again = awaitFinished(project, second);
        assertThat(again.getString("status")).isEqualTo("completed");
        assertThat(again.getMap("report")).containsEntry("created", 0).containsEntry("outdated", 0)
                .containsEntry("deleted", 0).containsEntry("requeued", 0).containsEntry("summary", "nothing to do");
        assertThat(again.getList("log.message", String.class)).contains("completed: nothing to do");
    }

    @Test
    void fullSyncRequestedTwiceQuicklyReturnsTheSamePendingTask() {
        String project = SiblingServices.newProject();

        long first = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202).extract().jsonPath()
                .getLong("id");
        long second = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202)
                .body("status", equalTo("pending")).extract().jsonPath().getLong("id");

        assertThat(second).isEqualTo(first);
        assertThat(SyncTasks.of(project, "full-sync")).hasSize(1);
        assertThat(SyncTasks.log(project, first)).containsExactly("opened: full-sync requested by test-admin",
                "joined: full-sync requested by test-admin");
        assertThat(awaitFinished(project, first).getString("status")).isEqualTo("completed");
    }

    @Test
    void retryFailedPutsFailedInstancesBackToPendingAndReportsHowMany() {
        String project = SiblingServices.newProject();
        SiblingServices.addMapping(project, "allergies");
        SiblingServices.addMrns(project, "RETRY-1", "RETRY-2");
        List<Map<String, Object>> instances = await().atMost(DONE).until(() -> SiblingServices.instances(project),
                list -> list.size() == 2);
        long instanceId = ((Number) instances.get(0).get("id")).longValue();
        failAsAWorkerWould(project, instanceId);

        long task = SyncTasks.request(project, Map.of("type", "retry-failed", "errorClasses", List.of("not_found")))
                .statusCode(202).body("type", equalTo("retry-failed")).extract().jsonPath().getLong("id");

        JsonPath done = awaitFinished(project, task);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getMap("report")).isEqualTo(Map.of("requeued", 1));
        assertThat(done.getList("log.message", String.class))
                .contains("opened: retry failed requested (error classes not_found; mappings any) by test-admin");
        assertThat(SiblingServices.instances(project)).filteredOn(i -> ((Number) i.get("id")).longValue() == instanceId)
                .extracting(i -> i.get("status")).containsExactly("pending");
    }

    @Test
    void retryFailedWithNothingFailedReportsZero() {
        String project = SiblingServices.newProject();

        long task = SyncTasks.request(project, Map.of("type", "retry-failed")).statusCode(202).extract().jsonPath()
                .getLong("id");

        JsonPath done = awaitFinished(project, task);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getMap("report")).isEqualTo(Map.of("requeued", 0));
    }

    @Test
    void unknownTaskTypeIsABadRequestNamingTheValidTypes() {
        String project = SiblingServices.newProject();

        SyncTasks.request(project, Map.of("type", "sync")).statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("full-sync, retry-failed"))
                .body("errors[0].field", equalTo("type"));
        SyncTasks.request(project, Map.of("type", "full-sync", "mappingIds", List.of(1))).statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("retry-failed only"));
        SyncTasks.request(project, Map.of()).statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", endsWith("type"));
        assertThat(SyncTasks.of(project)).isEmpty();
    }

    @Test
    void tasksOfAProjectConfigServiceDoesNotKnowAreNotFound() {
        String project = "nope-" + UUID.randomUUID().toString().substring(0, 8);

        SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(404)
                .contentType("application/problem+json").body("detail", containsString(project));
        io.restassured.RestAssured.given().get("/api/projects/{key}/tasks", project).then().statusCode(404)
                .contentType("application/problem+json");
        io.restassured.RestAssured.given().get("/api/projects/{key}/tasks/{id}", project, 1).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void taskListIsNewestFirstAndPaged() {
        String project = SiblingServices.newProject();
        long retry = SyncTasks.request(project, Map.of("type", "retry-failed")).statusCode(202).extract().jsonPath()
                .getLong("id");
        long fullSync = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202).extract().jsonPath()
                .getLong("id");

        io.restassured.RestAssured.given().queryParam("size", 1).get("/api/projects/{key}/tasks", project).then()
                .statusCode(200).body("total", equalTo(2)).body("page", equalTo(0)).body("size", equalTo(1))
                .body("items.id", equalTo(List.of((int) fullSync)));
        io.restassured.RestAssured.given().queryParam("page", 1).queryParam("size", 1)
                .get("/api/projects/{key}/tasks", project).then().statusCode(200)
                .body("items.id", equalTo(List.of((int) retry)));
    }

    @Test
    void taskDetailShowsEveryStepOfItsLog() {
        String project = SiblingServices.newProject();
        long task = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202).extract().jsonPath()
                .getLong("id");

        JsonPath done = awaitFinished(project, task);

        assertThat(done.getList("log.message", String.class)).containsExactly(
                "opened: full-sync requested by test-admin",
                "asking config-service for the project's active mappings",
                "config-service: 0 active mapping(s) on FHIR system " + fhirSystemOf(project)
                        + "; asking mrn-service to reconcile",
                "completed: nothing to do");
        assertThat(done.getList("log.at")).allSatisfy(at -> assertThat(at).isNotNull());
        io.restassured.RestAssured.given().get("/api/projects/{key}/tasks/{id}", project, task + 1_000_000).then()
                .statusCode(404).contentType("application/problem+json").body("title", startsWith("Not found"));
    }

    /** Claims the instance and publishes a failed fetch result for it, as fetch-worker does. */
    private static void failAsAWorkerWould(String project, long instanceId) {
        String token = SiblingServices.claim(instanceId).extract().jsonPath().getString("[0].claimToken");
        try (KafkaEvents events = new KafkaEvents()) {
            events.send(Topics.FETCH_RESULT, Long.toString(instanceId), FetchResult.failed(instanceId, token,
                    "not_found", "no patient matches the MRN", false, List.of(), null));
            events.flush();
        }
        await().atMost(DONE).untilAsserted(() -> assertThat(SiblingServices.instances(project))
                .filteredOn(i -> ((Number) i.get("id")).longValue() == instanceId)
                .extracting(i -> i.get("status")).containsExactly("failed"));
    }

    private static long fhirSystemOf(String project) {
        return io.restassured.RestAssured.given().baseUri(SiblingServices.configService())
                .get("/api/projects/{key}", project).then().statusCode(200).extract().jsonPath()
                .getLong("fhirSystemId");
    }

    static JsonPath awaitFinished(String project, long id) {
        return await().atMost(DONE).until(() -> SyncTasks.detail(project, id),
                task -> List.of("completed", "failed").contains(task.getString("status")));
    }
}
