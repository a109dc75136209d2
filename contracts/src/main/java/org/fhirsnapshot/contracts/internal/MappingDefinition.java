package org.fhirsnapshot.contracts.internal;

import java.util.Map;

/**
 * A project's active mapping resource as config-service resolves it (config-service to sync-service to
 * mrn-service).
 *
 * @param id the mapping's id
 * @param revision its revision; an update bumps it
 * @param name display name
 * @param key a file-name-safe key, unique in the project (the ZIP entry {@code {mrn}/{key}.json})
 * @param type {@code predefined} or {@code custom}
 * @param spec the catalog key or the custom search as the user wrote it
 * @param params parameters (for example {@code study} for adverse-events)
 * @param resourceType the FHIR resource type searched
 * @param query the relative search without the patient parameter, for example
 *        {@code Observation?category=vital-signs}; the worker adds {@code patient} (or {@code _id} for Patient)
 */
public record MappingDefinition(long id, int revision, String name, String key, String type, String spec,
        Map<String, String> params, String resourceType, String query) {
}
