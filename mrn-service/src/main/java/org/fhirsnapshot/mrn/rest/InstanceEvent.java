package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A status change streamed to live screens. No MRN (screens look instances up by id) and no error text (free text
 * from the EHR could carry patient data): the error class only, omitted when the instance has none.
 *
 * @param instanceId the instance
 * @param mappingId its mapping
 * @param status its new status
 * @param at when it changed
 * @param protectedRecord whether the EHR withheld the record (break-the-glass)
 * @param errorClass the instance's error class (a transient failure sent back for a retry keeps it), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceEvent(long instanceId, long mappingId, String status, Instant at,
        @JsonProperty("protected") boolean protectedRecord, String errorClass) {
}
