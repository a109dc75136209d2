package org.fhirsnapshot.config.rest;

import java.time.Instant;
import java.util.Map;
import org.fhirsnapshot.config.persistence.MappingEntity;

/** A mapping resource as the API shows it. */
public record MappingView(long id, String projectKey, String name, String key, String type, String spec,
        Map<String, String> params, String resourceType, String query, int revision, Instant createdAt,
        Instant updatedAt) {

    public static MappingView of(String projectKey, MappingEntity entity) {
        return new MappingView(entity.id, projectKey, entity.name, entity.key, entity.type, entity.spec,
                entity.params == null ? Map.of() : entity.params, entity.resourceType, entity.query, entity.revision,
                entity.createdAt, entity.updatedAt);
    }
}
