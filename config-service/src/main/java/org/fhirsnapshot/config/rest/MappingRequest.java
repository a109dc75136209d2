package org.fhirsnapshot.config.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.fhirsnapshot.config.MappingService.MappingDraft;

/** The body of {@code POST /api/projects/{key}/mappings} and {@code PUT /api/projects/{key}/mappings/{id}}. */
public record MappingRequest(
        @NotBlank @Size(max = 200) String name,
        @NotBlank @Pattern(regexp = MappingRequest.TYPE_PATTERN, message = MappingRequest.TYPE_MESSAGE) String type,
        // The spec's own checks (MappingSpecParser) say why a spec is wrong, empty included.
        String spec,
        Map<String, String> params) {

    /** The values {@code type} takes (also in {@link SpecValidationRequest}: one rule for both bodies). */
    static final String TYPE_PATTERN = "predefined|custom";
    /** What a wrong {@code type} is told. */
    static final String TYPE_MESSAGE = "must be predefined or custom";

    public MappingDraft toDraft() {
        return new MappingDraft(name, type, spec, params);
    }
}
