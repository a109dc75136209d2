package org.fhirsnapshot.sync;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A task that is recorded once its work is done (a {@code sweep}): it never waits in the queue.
 *
 * @param projectKey the project
 * @param type what it did
 * @param trigger why it ran ({@link TaskTrigger})
 * @param report what it did, without PHI
 * @param log its log lines, oldest first, without PHI
 */
public record CompletedTask(String projectKey, TaskType type, String trigger, JsonObject report, List<String> log) {
}
