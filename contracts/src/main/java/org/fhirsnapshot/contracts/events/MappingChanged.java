package org.fhirsnapshot.contracts.events;

import java.time.Instant;

/**
 * A mapping resource of a project changed. Carries ids only.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param projectKey the project's key (also the Kafka key)
 * @param mappingId the mapping's id
 * @param change what happened
 * @param revision the mapping's revision after the change
 * @param occurredAt when config-service committed the change
 */
public record MappingChanged(int schemaVersion, String projectKey, long mappingId, Change change, int revision,
        Instant occurredAt) {

    public static final int SCHEMA_VERSION = 1;

    public enum Change {
        created, updated, deleted
    }

    public static MappingChanged of(String projectKey, long mappingId, Change change, int revision) {
        return new MappingChanged(SCHEMA_VERSION, projectKey, mappingId, change, revision, Instant.now());
    }
}
