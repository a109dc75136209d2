package org.fhirsnapshot.sync.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Reads tasks for the public API. */
@ApplicationScoped
public class TaskRepository implements PanacheRepository<TaskEntity> {

    /** One page of a project's tasks, newest first. */
    public Uni<List<TaskEntity>> pageOfProject(String projectKey, int page, int size) {
        return find("projectKey", Sort.descending("id"), projectKey).page(Page.of(page, size)).list();
    }

    public Uni<Long> countOfProject(String projectKey) {
        return count("projectKey", projectKey);
    }

    /** The task with this id if it belongs to the project, else null. */
    public Uni<TaskEntity> findInProject(String projectKey, long id) {
        return find("id = ?1 and projectKey = ?2", id, projectKey).firstResult();
    }
}
