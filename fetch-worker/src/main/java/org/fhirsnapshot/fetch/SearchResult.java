package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A completed search: the merged searchset Bundle and what its paging went through.
 *
 * @param bundle the merged Bundle, ready to store
 * @param pages pages read
 * @param resources clinical resources (outcome entries excluded)
 * @param outcomeEntries OperationOutcome entries kept in the Bundle
 * @param warnings the EHR's warnings and the worker's own, without PHI
 */
public record SearchResult(ObjectNode bundle, int pages, int resources, int outcomeEntries, List<String> warnings) {

    public SearchResult {
        warnings = List.copyOf(warnings);
    }
}
