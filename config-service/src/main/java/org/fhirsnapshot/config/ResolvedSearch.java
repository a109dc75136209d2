package org.fhirsnapshot.config;

import java.util.Map;

/**
 * A mapping's type, spec and params once validated, with the search they resolve to: a {@link ResolvedMapping}
 * without the name and the key made of it.
 *
 * @param type the mapping type
 * @param spec the spec as stored (surrounding whitespace removed)
 * @param params the parameters, sorted by name (empty when none)
 * @param resourceType the FHIR resource type searched
 * @param query the relative search without the patient parameter, for example {@code Observation?category=laboratory}
 */
public record ResolvedSearch(MappingType type, String spec, Map<String, String> params, String resourceType,
        String query) {
}
