package org.fhirsnapshot.sync.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code POST /api/projects/{key}/tasks}.
 *
 * @param type {@code full-sync} or {@code retry-failed}
 * @param errorClasses retry-failed only: the error classes to retry (for example {@code timeout}); all when absent
 * @param mappingIds retry-failed only: the mappings whose failed instances to retry; all when absent
 */
public record CreateTaskRequest(
        @NotBlank(message = "type is required: full-sync or retry-failed") String type,
        @Size(max = 50) List<@NotBlank @Pattern(regexp = "[a-z_]{1,40}", message = "an error class is lower-case letters and underscores, for example server_error") String> errorClasses,
        @Size(max = 500) List<@NotNull(message = "a mapping id is a positive number") @Positive Long> mappingIds) {
}
