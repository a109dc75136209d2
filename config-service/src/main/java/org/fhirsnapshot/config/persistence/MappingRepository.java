package org.fhirsnapshot.config.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Mapping resources. "Active" means not soft-deleted. */
@ApplicationScoped
public class MappingRepository implements PanacheRepository<MappingEntity> {

    private static final String ACTIVE_OF_PROJECT = "projectId = :projectId and deletedAt is null";

    public Uni<MappingEntity> findActive(long projectId, long id) {
        return find(ACTIVE_OF_PROJECT + " and id = :id", Parameters.with("projectId", projectId).and("id", id))
                .firstResult();
    }

    public Uni<MappingEntity> findActiveByKey(long projectId, String key) {
        return find(ACTIVE_OF_PROJECT + " and key = :key", Parameters.with("projectId", projectId).and("key", key))
                .firstResult();
    }

    /** Every active mapping of a project, by id. */
    public Uni<List<MappingEntity>> listActive(long projectId) {
        return list(ACTIVE_OF_PROJECT, Sort.by("id"), Parameters.with("projectId", projectId));
    }

    public Uni<List<MappingEntity>> pageActive(long projectId, Page page) {
        return find(ACTIVE_OF_PROJECT, Sort.by("id"), Parameters.with("projectId", projectId)).page(page).list();
    }

    public Uni<Long> countActive(long projectId) {
        return count(ACTIVE_OF_PROJECT, Parameters.with("projectId", projectId));
    }
}
