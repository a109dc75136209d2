package org.fhirsnapshot.config.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /api/projects} and {@code PUT /api/projects/{key}} (where {@code key} may be left out; it
 * cannot change).
 */
public record ProjectRequest(
        @Pattern(regexp = "[a-z0-9-]{1,64}", message = "must be 1 to 64 lower-case letters, digits or '-'") String key,
        @NotBlank @Size(max = 200) String name,
        @NotNull Long fhirSystemId,
        @NotNull Boolean enabled) {
}
