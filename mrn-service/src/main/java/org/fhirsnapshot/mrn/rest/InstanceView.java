package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.mrn.ResourceInstance;

/** A resource instance as the public API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceView(long id, String mrn, long mappingId, int mappingRevision, String resourceName,
        String resourceSpec, String resourceType, String status, @JsonProperty("protected") boolean protectedRecord,
        String payloadRef, Instant fetchedAt, String errorClass, String error, Pagination pagination,
        List<String> warnings) {

    public static InstanceView of(ResourceInstance i) {
        return new InstanceView(i.id(), i.mrn(), i.mappingId(), i.mappingRevision(), i.resourceName(),
                i.resourceSpec(), i.resourceType() == null ? null : i.resourceType().name(), i.status().name(),
                i.protectedRecord(), i.payloadRef(), i.fetchedAt(), i.errorClass(), i.errorMessage(), i.pagination(),
                i.warnings() == null || i.warnings().isEmpty() ? null : i.warnings());
    }

    /** The same instance without its MRN, for a caller who may not see MRNs (below manager). */
    public InstanceView withoutMrn() {
        return new InstanceView(id, null, mappingId, mappingRevision, resourceName, resourceSpec, resourceType,
                status, protectedRecord, payloadRef, fetchedAt, errorClass, error, pagination, warnings);
    }
}
