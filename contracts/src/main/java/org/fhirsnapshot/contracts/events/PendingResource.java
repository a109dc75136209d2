package org.fhirsnapshot.contracts.events;

/**
 * A resource instance is pending and may be fetched. The worker claims it over REST before fetching.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param instanceId the resource instance id (also the Kafka key)
 * @param projectKey the project's key
 * @param attempt the fetch attempt this message is for, starting at 1
 */
public record PendingResource(int schemaVersion, long instanceId, String projectKey, int attempt) {

    public static final int SCHEMA_VERSION = 1;

    public static PendingResource of(long instanceId, String projectKey, int attempt) {
        return new PendingResource(SCHEMA_VERSION, instanceId, projectKey, attempt);
    }
}
