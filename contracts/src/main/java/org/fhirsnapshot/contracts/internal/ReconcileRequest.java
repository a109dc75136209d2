package org.fhirsnapshot.contracts.internal;

import java.util.List;

/**
 * Asks mrn-service to reconcile a project's instances against its active mappings:
 * {@code POST /internal/projects/{key}/reconcile}.
 */
public record ReconcileRequest(long fhirSystemId, List<MappingDefinition> mappings) {
}
