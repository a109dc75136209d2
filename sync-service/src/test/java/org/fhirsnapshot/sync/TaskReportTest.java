package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
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
    void taskTypesAreReadByTheirWireNames() {
        assertThat(TaskType.of("full-sync")).contains(TaskType.FULL_SYNC);
        assertThat(TaskType.of("retry-failed")).contains(TaskType.RETRY_FAILED);
        assertThat(TaskType.of("FULL_SYNC")).isEmpty();
    }

    private static RunningTask running(TaskType type) {
        return new RunningTask(1, "p", type, null, 1, UUID.randomUUID());
    }
}
