package org.fhirsnapshot.contracts.internal;

import java.util.List;

/**
 * A project's FHIR system and active mappings: {@code GET /internal/projects/{key}/mappings} of config-service.
 */
public record ProjectMappings(String projectKey, long fhirSystemId, boolean enabled, List<MappingDefinition> mappings) {
}
