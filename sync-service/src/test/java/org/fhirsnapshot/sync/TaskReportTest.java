package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
import org.fhirsnapshot.sync.client.DownstreamRejectedException;
import org.junit.jupiter.api.Test;

class TaskReportTest {

    @Test
    void fullSyncThatChangedNothingSaysNothingToDo() {
        JsonObject report = TaskRunner.reportOf(TaskType.FULL_SYNC, new ReconcileReport(0, 0, 0, 0));

        assertThat(report.getMap()).containsEntry("created", 0).containsEntry("outdated", 0)
                .containsEntry("deleted", 0).containsEntry("requeued", 0).containsEntry("summary", "nothing to do");
        assertThat(TaskRunner.summary(running(TaskType.FULL_SYNC), report)).isEqualTo("nothing to do");
    }

    @Test
    void reconcileReportCountsEveryKindOfChange() {
        JsonObject report = TaskRunner.reportOf(TaskType.SYNC, new ReconcileReport(6, 2, 1, 0));

        assertThat(report.getMap()).containsOnlyKeys("created", "outdated", "deleted", "requeued");
        assertThat(TaskRunner.summary(running(TaskType.SYNC), report))
                .isEqualTo("created 6, outdated 2, deleted 1, requeued 0");
    }

    @Test
    void reconcileAnswerKeepsPerMappingCountsReusedAndFieldsThisVersionDoesNotKnow() {
        JsonObject answer = new JsonObject("""
                {"created": 3, "outdated": 2, "deleted": 0, "requeued": 0, "reused": 1, "elapsedMillis": 40,
                 "byMapping": [{"mappingId": 7, "created": 3, "outdated": 0, "deleted": 0, "reused": 1},
                               {"mappingId": 8, "created": 0, "outdated": 2, "deleted": 0, "reused": 0}]}""");

        JsonObject report = TaskRunner.reportOf(TaskType.SYNC, answer);

        assertThat(report.getInteger("reused")).isEqualTo(1);
        assertThat(report.getInteger("elapsedMillis")).isEqualTo(40);
        assertThat(report.getJsonArray("byMapping")).hasSize(2);
        assertThat(report.getJsonArray("byMapping").getJsonObject(1).getMap()).containsEntry("mappingId", 8)
                .containsEntry("outdated", 2);
        assertThat(report.containsKey("summary")).isFalse();
        assertThat(TaskRunner.summary(running(TaskType.SYNC), report))
                .isEqualTo("created 3, outdated 2, deleted 0, requeued 0, reused 1 over 2 mapping(s)");
    }

    @Test
    void fullSyncWithOnlyZeroCountsPerMappingSaysNothingToDo() {
        JsonObject answer = new JsonObject("""
                {"created": 0, "outdated": 0, "deleted": 0, "requeued": 0, "reused": 0,
                 "byMapping": [{"mappingId": 7, "created": 0, "outdated": 0, "deleted": 0, "reused": 0}]}""");

        JsonObject report = TaskRunner.reportOf(TaskType.FULL_SYNC, answer);

        assertThat(report.getString("summary")).isEqualTo("nothing to do");
        assertThat(report.getJsonArray("byMapping")).hasSize(1);
        assertThat(TaskRunner.summary(running(TaskType.FULL_SYNC), report)).isEqualTo("nothing to do");
    }

    @Test
    void fullSyncThatOnlyReusedInstancesDidSomething() {
        JsonObject answer = new JsonObject("""
                {"created": 0, "outdated": 0, "deleted": 0, "requeued": 0, "reused": 4, "byMapping": []}""");

        JsonObject report = TaskRunner.reportOf(TaskType.FULL_SYNC, answer);

        assertThat(report.containsKey("summary")).isFalse();
        assertThat(TaskRunner.summary(running(TaskType.FULL_SYNC), report))
                .isEqualTo("created 0, outdated 0, deleted 0, requeued 0, reused 4 over 0 mapping(s)");
    }

    @Test
    void reconcileAnswerMissingACountReportsZeroAndAnUnreadableCountIsRejected() {
        JsonObject report = TaskRunner.reportOf(TaskType.SYNC, new JsonObject().put("created", 2));
        assertThat(report.getMap()).containsEntry("created", 2).containsEntry("outdated", 0)
                .containsEntry("deleted", 0).containsEntry("requeued", 0).doesNotContainKey("reused");

        assertThatThrownBy(() -> TaskRunner.reportOf(TaskType.SYNC, new JsonObject().put("created", "many")))
                .isInstanceOf(DownstreamRejectedException.class)
                .hasMessage("mrn-service answered the reconcile with an unreadable created");
    }

    @Test
    void reportOfMrnServiceCannotClaimTheSummary() {
        JsonObject report = TaskRunner.reportOf(TaskType.SYNC, new JsonObject().put("created", 1)
                .put("summary", "nothing to do"));

        assertThat(report.containsKey("summary")).isFalse();
        assertThat(TaskRunner.summary(running(TaskType.SYNC), report))
                .isEqualTo("created 1, outdated 0, deleted 0, requeued 0");
    }

    @Test
    void taskTypesAreReadByTheirWireNames() {
        assertThat(TaskType.of("full-sync")).contains(TaskType.FULL_SYNC);
        assertThat(TaskType.of("retry-failed")).contains(TaskType.RETRY_FAILED);
        assertThat(TaskType.of("FULL_SYNC")).isEmpty();
    }

    private static RunningTask running(TaskType type) {
        return new RunningTask(1, "p", type, null, 1, UUID.randomUUID());
    }
}
