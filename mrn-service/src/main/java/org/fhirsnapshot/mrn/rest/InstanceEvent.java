package org.fhirsnapshot.mrn.rest;

import java.time.Instant;

/** A status change streamed to live screens. No MRN: screens look instances up by id. */
public record InstanceEvent(long instanceId, long mappingId, String status, Instant at) {
}
