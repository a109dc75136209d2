package org.fhirsnapshot.sync.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Reads the history of a task. Lines are written by {@link TaskQueueRepository}, in the transaction they record. */
@ApplicationScoped
public class TaskLogRepository implements PanacheRepository<TaskLogEntity> {

    public Uni<List<TaskLogEntity>> ofTask(long taskId) {
        return find("taskId", Sort.ascending("id"), taskId).list();
    }
}
