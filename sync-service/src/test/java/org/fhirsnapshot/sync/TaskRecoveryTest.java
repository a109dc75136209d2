package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** Nothing stays running or pending forever: failed downstream calls are retried, crashed runs are taken back. */
@QuarkusTest
class TaskRecoveryTest {

    private static final Duration RECOVERED = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    @Test
    void taskWhoseDownstreamCallFailsIsRetriedWithBackoffAndCompletesOnceTheServiceIsBack() {
        String project = SiblingServices.newProject();
        ServiceProcess mrnService = ServiceProcessTestResource.process(Service.MRN);
        mrnService.kill();
        try {
            long task = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202).extract().jsonPath()
                    .getLong("id");

            JsonPath retrying = await().atMost(RECOVERED).until(() -> SyncTasks.detail(project, task),
                    t -> t.getList("log.message", String.class).stream().anyMatch(line -> line.startsWith(
                            "attempt 1 of 5 failed: mrn-service could not be reached for the reconcile; next attempt in")));
            assertThat(retrying.getString("status")).isIn("pending", "running");
            assertThat(retrying.getString("error")).isNull();
        } finally {
            mrnService.restartIfDead();
        }
        await().atMost(RECOVERED).untilAsserted(() -> {
            List<Map<String, Object>> tasks = SyncTasks.of(project, "full-sync");
            assertThat(tasks).hasSize(1);
            assertThat(tasks.get(0)).containsEntry("status", "completed");
        });
    }

    @Test
    void taskLeftRunningByAStoppedReplicaGoesBackToPendingAndCompletes() {
        String project = SiblingServices.newProject();
        long task = insertRunningTask(project, Duration.ofMinutes(10), 1);

        JsonPath done = ManualTaskTest.awaitFinished(project, task);

        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getList("log.message", String.class)).anyMatch(line -> line.startsWith(
                "attempt 1 of 5 failed: it was still running after 5 min (its replica stopped or lost the database)"));
    }

    @Test
    void taskThatUsedEveryAttemptFailsWithAReadableError() {
        String project = SiblingServices.newProject();
        long task = insertRunningTask(project, Duration.ofMinutes(10), 5);

        JsonPath done = ManualTaskTest.awaitFinished(project, task);

        assertThat(done.getString("status")).isEqualTo("failed");
        assertThat(done.getString("error")).isEqualTo(
                "gave up after 5 attempts: it was still running after 5 min (its replica stopped or lost the database)");
    }

    @Test
    void aRecentRunningTaskIsLeftAlone() {
        String project = SiblingServices.newProject();
        long task = insertRunningTask(project, Duration.ofSeconds(5), 1);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .untilAsserted(() -> assertThat(SyncTasks.detail(project, task).getString("status"))
                        .isEqualTo("running"));
    }

    /** What a replica that died in the middle of a run leaves behind. */
    private long insertRunningTask(String project, Duration startedAgo, int attempts) {
        return pool.preparedQuery("""
                INSERT INTO task (project_key, type, status, trigger, started_at, run_token, attempts, progress_total)
                VALUES ($1, 'full-sync', 'running', 'manual', now() - make_interval(secs => $2), $3, $4, 2)
                RETURNING id""")
                .execute(Tuple.of(project, (double) startedAgo.toSeconds(), UUID.randomUUID(), attempts))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong("id");
    }
}
