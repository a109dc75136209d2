package org.fhirsnapshot.sync;

import java.util.UUID;

/**
 * A task this replica has started: its run token guards every later write of the run.
 *
 * @param id the task id
 * @param projectKey the project
 * @param type what it does
 * @param filter for {@code retry-failed}, which failed instances
 * @param attempt this run's attempt number, from 1
 * @param runToken the token of this run
 */
public record RunningTask(long id, String projectKey, TaskType type, RetryFilter filter, int attempt, UUID runToken) {
}
