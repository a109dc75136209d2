package org.fhirsnapshot.archive;

import java.util.Locale;
import org.fhirsnapshot.problem.ProblemException;

/** How an archive lays out its payloads. */
public enum ArchiveFormat {

    /** {@code {mrn}/{mapping-key}.json}: each stored payload (a searchset Bundle) unaltered. */
    json,

    /** {@code {ResourceType}.ndjson}: one resource a line across MRNs (the Bulk Data convention). */
    ndjson;

    /** The format a client asked for; json when it asked for none. */
    public static ArchiveFormat parse(String value) {
        if (value == null || value.isBlank()) {
            return json;
        }
        try {
            return valueOf(value.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("format", "format must be json or ndjson.");
        }
    }
}
