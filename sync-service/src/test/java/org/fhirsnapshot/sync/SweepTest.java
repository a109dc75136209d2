package org.fhirsnapshot.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.sync.persistence.TaskQueueRepository;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** Flow 5: the sweeper, recorded as tasks, one replica at a time, tolerant of mrn-service being away. */
@QuarkusTest
class SweepTest {

    private static final Duration SWEPT = Duration.ofSeconds(45);

    @Inject
    Pool pool;

    @Inject
    TaskQueueRepository queue;

    @Inject
    Sweeper sweeper;

    @Test
    void whileAnotherReplicaHoldsTheSweepLockThisOneDoesNotSweepThenItRecordsItsTasks() {
        String project = SiblingServices.newProject();
        CompletedTask swept = new CompletedTask(project, TaskType.SWEEP, TaskTrigger.SCHEDULE,
                new JsonObject().put("leasesExpired", 1).put("republished", 2),
                List.of("opened: scheduled sweep at mrn-service", "completed: swept"));
        AtomicBoolean ranWhileLocked = new AtomicBoolean();

        Optional<List<Long>> whileLocked = pool.withTransaction(other -> other
                .preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(Sweeper.SWEEP_LOCK))
                .chain(() -> queue.exclusively(Sweeper.SWEEP_LOCK, () -> {
                    ranWhileLocked.set(true);
                    return Uni.createFrom().item(List.of(swept));
                }))).await().atMost(Duration.ofSeconds(10));

        assertThat(whileLocked).isEmpty();
        assertThat(ranWhileLocked).isFalse();
        assertThat(SyncTasks.of(project)).isEmpty();

        // The scheduled sweeper of this replica may hold the lock for a moment: try until the lock is free.
        List<Long> recorded = await().atMost(SWEPT).until(() -> queue.exclusively(Sweeper.SWEEP_LOCK,
                () -> Uni.createFrom().item(List.of(swept))).await().atMost(Duration.ofSeconds(10)),
                Optional::isPresent).orElseThrow();
        assertThat(recorded).hasSize(1);
        List<Map<String, Object>> tasks = SyncTasks.of(project);
        assertThat(tasks).hasSize(1);
        assertThat(tasks.get(0)).containsEntry("type", "sweep").containsEntry("status", "completed")
                .containsEntry("trigger", "schedule").containsEntry("report",
                        Map.of("leasesExpired", 1, "republished", 2))
                .containsEntry("progress", Map.of("done", 1, "total", 1));
        assertThat(SyncTasks.log(project, recorded.get(0))).containsExactly("opened: scheduled sweep at mrn-service",
                "completed: swept");
    }

    @Test
    void sweepWhileMrnServiceIsDownWarnsWithoutFailingAndRecordsNothing() {
        String project = SiblingServices.newProject();
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Sweeper.class.getName());
        log.addHandler(capture);
        ServiceProcess mrnService = ServiceProcessTestResource.process(Service.MRN);
        mrnService.kill();
        try {
            // Called directly (and by the schedule every second): neither fails, both warn.
            sweeper.sweep().await().atMost(Duration.ofSeconds(30));

            await().atMost(SWEPT).untilAsserted(() -> assertThat(warnings).extracting(SweepTest::message)
                    .contains(
                            "Sweep failed, the next sweep tries again: mrn-service could not be reached for the sweep"));
            assertThat(SyncTasks.of(project)).isEmpty();
        } finally {
            log.removeHandler(capture);
            mrnService.restartIfDead();
        }
    }

    @Test
    void expiredLeaseIsSweptBackToPendingAndRecordedAsASweepTaskOfItsProject() {
        String project = SiblingServices.newProject();
        SiblingServices.addMapping(project, "medications");
        SiblingServices.addMrns(project, "SWEEP-1");
        long instanceId = ((Number) await().atMost(SWEPT).until(() -> SiblingServices.instances(project),
                list -> list.size() == 1).get(0).get("id")).longValue();

        // A worker claims the instance with a one-second lease and never sends a result.
        given().baseUri(SiblingServices.mrnService()).contentType(ContentType.JSON)
                .body(Map.of("instanceIds", List.of(instanceId), "workerId", "sync-service-sweep-test",
                        "leaseSeconds", 1))
                .post("/internal/instances/claim").then().statusCode(200);

        Map<String, Object> sweep = await().atMost(SWEPT).until(() -> SyncTasks.of(project, "sweep").stream()
                .filter(task -> ChangeTriggeredSyncTest.reported(task, "leasesExpired") >= 1).findFirst(),
                Optional::isPresent).orElseThrow();
        assertThat(sweep).containsEntry("status", "completed").containsEntry("trigger", "schedule");
        assertThat(SyncTasks.log(project, SyncTasks.id(sweep))).last().asString()
                .startsWith("completed: ").contains("expired lease(s) back to pending");
        assertThat(SiblingServices.instances(project)).extracting(i -> i.get("status"))
                .containsExactly("pending");
    }

    private static String message(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters == null || parameters.length == 0
                ? record.getMessage()
                : String.format(record.getMessage(), parameters);
    }
}
