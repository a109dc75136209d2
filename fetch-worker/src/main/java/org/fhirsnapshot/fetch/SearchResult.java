package org.fhirsnapshot.fetch;

import java.util.List;
import org.fhirsnapshot.payload.StoredPayload;

/**
 * A completed search: its merged searchset Bundle, stored, and what its paging went through.
 *
 * @param payload the merged Bundle in the payload store
 * @param pages pages read
 * @param resources clinical resources (outcome entries excluded)
 * @param outcomeEntries OperationOutcome entries kept in the Bundle
 * @param warnings the EHR's warnings and the worker's own, without PHI
 */
public record SearchResult(StoredPayload payload, int pages, int resources, int outcomeEntries,
        List<String> warnings) {

    public SearchResult {
        warnings = List.copyOf(warnings);
    }
}
