package org.fhirsnapshot.archive;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The per-resource part of an archive's filters: resource types ({@code type}) and the clinical-date range
 * ({@code from} inclusive, {@code to} exclusive, see {@link ClinicalDates}). A resource is kept when its type is asked
 * for (or no type is) and its clinical date overlaps {@code [from, to)}; a resource without a clinical date is kept
 * and reported as {@link Decision#KEEP_UNDATED}. Pure and thread-safe.
 *
 * @param types resource types to keep; empty keeps every type
 * @param from keep resources whose clinical date reaches this instant or later, or null
 * @param to keep resources whose clinical date starts before this instant, or null
 */
public record ResourceFilter(Set<String> types, Instant from, Instant to) {

    /** What becomes of one resource. */
    public enum Decision {
        /** In the archive: its clinical date overlaps the range (or no range was asked for). */
        KEEP,
        /** In the archive: a range was asked for but the resource has no clinical date. */
        KEEP_UNDATED,
        /** Left out: another type, or a clinical date outside the range. */
        DROP
    }

    public ResourceFilter {
        types = Set.copyOf(types);
    }

    public static ResourceFilter none() {
        return new ResourceFilter(Set.of(), null, null);
    }

    /** Whether any resource can be left out (otherwise payloads go into the archive untouched). */
    public boolean active() {
        return !types.isEmpty() || dated();
    }

    /** Whether a clinical-date range was asked for. */
    public boolean dated() {
        return from != null || to != null;
    }

    public boolean acceptsType(String resourceType) {
        return types.isEmpty() || types.contains(resourceType);
    }

    public Decision decide(JsonNode resource) {
        if (!acceptsType(resource.path("resourceType").asText(""))) {
            return Decision.DROP;
        }
        if (!dated()) {
            return Decision.KEEP;
        }
        Optional<ClinicalDates.Span> span = ClinicalDates.of(resource);
        if (span.isEmpty()) {
            return Decision.KEEP_UNDATED;
        }
        return span.get().overlaps(from, to) ? Decision.KEEP : Decision.DROP;
    }
}
