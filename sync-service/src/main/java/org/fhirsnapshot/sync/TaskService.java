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

    /** A user asked for a task of a manual type; the project is known to exist. */
    public Uni<OpenedTask> request(String projectKey, TaskType type, RetryFilter filter) {
        String what = type == TaskType.RETRY_FAILED
                ? "retry failed requested (" + filter.describe() + ")"
                : type.value() + " requested";
        return queue.openOrJoin(projectKey, type, TaskTrigger.MANUAL, type == TaskType.RETRY_FAILED ? filter : null,
                what, null, config.debounce()).map(Optional::orElseThrow);
    }
}
