package org.fhirsnapshot.contracts.events;

import java.time.Instant;
import java.util.List;

/**
 * MRNs were added to or removed from a project. Carries mrn-service's internal MRN ids, never the MRNs.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param projectKey the project's key (also the Kafka key)
 * @param added internal ids of the MRNs added
 * @param removed internal ids of the MRNs removed
 * @param occurredAt when mrn-service committed the change
 */
public record MrnChanged(int schemaVersion, String projectKey, List<Long> added, List<Long> removed,
        Instant occurredAt) {

    public static final int SCHEMA_VERSION = 1;

    public static MrnChanged of(String projectKey, List<Long> added, List<Long> removed) {
        return new MrnChanged(SCHEMA_VERSION, projectKey, List.copyOf(added), List.copyOf(removed), Instant.now());
    }
}
