package org.fhirsnapshot.config;

import java.util.Arrays;
import java.util.Optional;

/** What a mapping resource's spec is: a key of the {@link PredefinedCatalog} or a custom relative FHIR search. */
public enum MappingType {
    predefined, custom;

    /** The type named exactly {@code name}, if any. */
    public static Optional<MappingType> named(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }
}
