package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** An active MRN with its active instances. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MrnView(String mrn, String fhirPatientId, List<Resource> resources) {

    /**
     * One active instance of the MRN (a cell of the grid). {@code instanceId} is the id the instance list and the
     * live events name it by.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resource(long instanceId, long mappingId, String name, String status,
            @JsonProperty("protected") boolean protectedRecord, String errorClass, String error, Instant fetchedAt) {
    }
}
