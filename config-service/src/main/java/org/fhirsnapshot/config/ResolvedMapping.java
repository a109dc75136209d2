package org.fhirsnapshot.config;

import java.util.Map;

/**
 * A mapping spec once validated and resolved.
 *
 * @param type the mapping type
 * @param spec the spec as stored (surrounding whitespace removed)
 * @param params the parameters, sorted by name (empty when none)
 * @param key the mapping's key: the catalog key, or a slug of the name for a custom search
 * @param resourceType the FHIR resource type searched
 * @param query the relative search without the patient parameter, for example {@code Observation?category=laboratory}
 */
public record ResolvedMapping(MappingType type, String spec, Map<String, String> params, String key,
        String resourceType, String query) {
}
