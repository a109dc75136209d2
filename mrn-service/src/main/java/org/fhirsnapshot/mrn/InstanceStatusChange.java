package org.fhirsnapshot.mrn;

import java.time.Instant;

/**
 * An instance changed status in this replica. Carries ids only, never the MRN.
 *
 * @param projectKey the project (to route the change to the project's listeners)
 * @param instanceId the instance
 * @param mappingId its mapping
 * @param status the new status
 * @param at when it changed
 */
public record InstanceStatusChange(String projectKey, long instanceId, long mappingId, InstanceStatus status,
        Instant at) {
}
