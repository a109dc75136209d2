package org.fhirsnapshot.sync.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.sync.TaskStatus;
import org.fhirsnapshot.sync.TaskType;
import org.fhirsnapshot.sync.persistence.TaskEntity;
import org.fhirsnapshot.sync.persistence.TaskLogEntity;

/**
 * A task as the public API shows it. {@code log} is present in the detail view only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskView(long id, TaskType type, TaskStatus status, String trigger, Instant createdAt, Instant startedAt,
        Instant finishedAt, Progress progress, Map<String, Object> report, String error, List<LogLine> log) {

    public record Progress(int done, int total) {
    }

    public record LogLine(Instant at, String message) {
    }

    public static TaskView of(TaskEntity task) {
        return of(task, null);
    }

    public static TaskView of(TaskEntity task, List<TaskLogEntity> log) {
        return new TaskView(task.id, task.type, task.status, task.trigger, task.createdAt, task.startedAt,
                task.finishedAt, new Progress(task.progressDone, task.progressTotal), task.report, task.error,
                log == null ? null : log.stream().map(line -> new LogLine(line.at, line.message)).toList());
    }
}
