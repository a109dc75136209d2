package org.fhirsnapshot.contracts.internal;

import java.time.Instant;

/**
 * One instance as archive-service lists it: {@code GET /internal/projects/{key}/archive-entries} of mrn-service.
 */
public record ArchiveEntry(long instanceId, String mrn, long mappingId, String mappingKey, String mappingName,
        String resourceType, String query, String status, String payloadRef, Instant fetchedAt, String errorClass,
        String error, boolean protectedRecord, int resources) {
}
