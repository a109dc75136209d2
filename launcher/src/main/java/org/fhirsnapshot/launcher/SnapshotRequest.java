package org.fhirsnapshot.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * What one snapshot asks for.
 *
 * @param fhirBaseUrl the FHIR server's base URL
 * @param identifierSystem the MRN identifier system, or null when MRNs are FHIR Patient ids
 * @param mrns the cohort
 * @param mappings catalog keys (predefined) or relative searches such as {@code Observation?category=social-history}
 * @param out where the ZIP goes
 */
public record SnapshotRequest(String fhirBaseUrl, String identifierSystem, List<String> mrns, List<String> mappings,
        Path out) {

    /** The demo's mappings: a few predefined categories and one custom search. */
    public static final List<String> DEMO_MAPPINGS = List.of("demographics", "vital-signs", "laboratory",
            "problem-list", "medications", "Observation?category=social-history");
}
