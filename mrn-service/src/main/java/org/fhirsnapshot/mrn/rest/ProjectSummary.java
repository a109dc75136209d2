package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A project's counts.
 *
 * @param mrns active MRNs
 * @param instances instances per status, all six statuses always present
 * @param protectedRecords active instances the EHR withheld (break-the-glass)
 * @param byMapping active instances per mapping
 */
public record ProjectSummary(long mrns, Map<String, Long> instances,
        @JsonProperty("protected") long protectedRecords, List<MappingSummary> byMapping) {

    /** One mapping's active instances per status. */
    public record MappingSummary(long mappingId, String name, long pending, long fetching, long completed,
            long failed) {
    }
}
