package org.fhirsnapshot.sync;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.fhirsnapshot.sync.config.TasksConfig;
import org.fhirsnapshot.sync.persistence.TaskQueueRepository;

/**
 * Opens tasks, or joins the pending one of the same type ("intelligent deduplication": a burst of changes costs one
 * reconcile).
 */
@ApplicationScoped
public class TaskService {

    private final TaskQueueRepository queue;
    private final TasksConfig config;

    public TaskService(TaskQueueRepository queue, TasksConfig config) {
        this.queue = queue;
        this.config = config;
    }

    /**
     * A change of the project's mappings or MRNs: opens or joins its pending {@code sync} task.
     *
     * @param trigger {@link TaskTrigger#MAPPING_CHANGED} or {@link TaskTrigger#MRN_CHANGED}
     * @param what what changed, without PHI
     * @param messageId the message's id: a redelivered message changes nothing
     * @return the task, or empty when this message was already applied
     */
    public Uni<Optional<OpenedTask>> syncAfterChange(String projectKey, String trigger, String what,
            String messageId) {
        return queue.openOrJoin(projectKey, TaskType.SYNC, trigger, null, what, messageId, config.debounce());
    }

    /**
     * A user asked for a task of a manual type; the project is known to exist.
     *
     * @param requestedBy who asked (the token's user or client name, never PHI), named in the task's log line
     */
    public Uni<OpenedTask> request(String projectKey, TaskType type, RetryFilter filter, String requestedBy) {
        String what = (type == TaskType.RETRY_FAILED
                ? "retry failed requested (" + filter.describe() + ")"
                : type.value() + " requested") + by(requestedBy);
        return queue.openOrJoin(projectKey, type, TaskTrigger.MANUAL, type == TaskType.RETRY_FAILED ? filter : null,
                what, null, config.debounce()).map(Optional::orElseThrow);
    }

    /** " by {name}", printable characters only and at most 100 of them; empty without a name. */
    static String by(String requestedBy) {
        if (requestedBy == null) {
            return "";
        }
        String name = requestedBy.codePoints().filter(c -> !Character.isISOControl(c)).limit(100)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
        return name.isEmpty() ? "" : " by " + name;
    }
}
