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
 * @param protectedRecord whether the EHR withheld the record (break-the-glass), as the instance now says
 * @param errorClass the instance's error class after the change (null when none); never the error text, which is
 *        free text from the EHR
 */
public record InstanceStatusChange(String projectKey, long instanceId, long mappingId, InstanceStatus status,
        Instant at, boolean protectedRecord, String errorClass) {
}
