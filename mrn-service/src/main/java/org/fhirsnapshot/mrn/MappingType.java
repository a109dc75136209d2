package org.fhirsnapshot.mrn;

import java.util.Arrays;
import java.util.Optional;

/** How a mapping resource names what to fetch (the PRD's {@code all_fhir_resource_type}). */
public enum MappingType {
    /** A key of the predefined catalog, for example {@code vital-signs}. */
    predefined,
    /** A FHIR search written by the user, for example {@code Observation?category=social-history}. */
    custom;

    public static Optional<MappingType> parse(String value) {
        return Arrays.stream(values()).filter(t -> t.name().equals(value)).findFirst();
    }
}
