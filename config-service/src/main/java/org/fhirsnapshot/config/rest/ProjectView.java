package org.fhirsnapshot.config.rest;

import java.time.Instant;
import org.fhirsnapshot.config.persistence.ProjectEntity;

/** A project as the API shows it. */
public record ProjectView(String key, String name, long fhirSystemId, boolean enabled, Instant createdAt,
        Instant updatedAt) {

    public static ProjectView of(ProjectEntity entity) {
        return new ProjectView(entity.key, entity.name, entity.fhirSystemId, entity.enabled, entity.createdAt,
                entity.updatedAt);
    }
}
