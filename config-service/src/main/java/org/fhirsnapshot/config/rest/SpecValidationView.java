package org.fhirsnapshot.config.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.fhirsnapshot.config.InvalidMappingException;
import org.fhirsnapshot.config.ResolvedSearch;

/**
 * The answer of {@code POST /api/catalog/validate}: {@code {valid: true, resourceType, search}} or
 * {@code {valid: false, field, detail}}, the field and detail a mapping with this spec would be refused with.
 *
 * @param resourceType the FHIR resource type searched (valid only)
 * @param search the relative search the worker runs, without the patient (the mapping's {@code query}; valid only)
 * @param field the offending field: {@code spec}, {@code params} or {@code params.<name>} (invalid only)
 * @param detail why, and what to fix (invalid only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpecValidationView(boolean valid, String resourceType, String search, String field, String detail) {

    static SpecValidationView of(ResolvedSearch search) {
        return new SpecValidationView(true, search.resourceType(), search.query(), null, null);
    }

    static SpecValidationView of(InvalidMappingException refusal) {
        return new SpecValidationView(false, null, null, refusal.field(), refusal.getMessage());
    }
}
