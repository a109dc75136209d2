package org.fhirsnapshot.config.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class ProjectRepository implements PanacheRepository<ProjectEntity> {

    public Uni<ProjectEntity> findByKey(String key) {
        return find("key", key).firstResult();
    }

    /** Up to {@code limit} projects on a FHIR system, by key. */
    public Uni<List<ProjectEntity>> findUsingSystem(long fhirSystemId, int limit) {
        return find("fhirSystemId", Sort.by("key"), fhirSystemId).range(0, limit - 1).list();
    }
}
