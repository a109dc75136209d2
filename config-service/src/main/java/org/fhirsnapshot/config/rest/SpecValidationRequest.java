package org.fhirsnapshot.config.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.Map;

/**
 * The body of {@code POST /api/catalog/validate}: a mapping's {@code type}, {@code spec} and {@code params} as
 * {@link MappingRequest} has them (same rule for {@code type}), without a name.
 */
public record SpecValidationRequest(
        @NotBlank @Pattern(regexp = MappingRequest.TYPE_PATTERN, message = MappingRequest.TYPE_MESSAGE) String type,
        // Checked by MappingSpecParser.resolveSearch, as for a mapping: the answer says why a spec is wrong.
        String spec,
        Map<String, String> params) {
}
