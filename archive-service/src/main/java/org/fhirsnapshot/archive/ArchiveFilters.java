package org.fhirsnapshot.archive;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;

/**
 * What a client asked to put in an archive. Empty lists mean "all".
 *
 * @param mrns only these MRNs
 * @param mappings only these mappings, each given by id, name or key
 * @param format the layout
 * @param fetchedAfter only instances fetched at or after this time, or null
 * @param fetchedBefore only instances fetched before this time, or null
 * @param types only resources of these types (FHIR resource type names); empty means all
 * @param from only resources whose clinical date reaches this instant or later (inclusive), or null
 * @param to only resources whose clinical date starts before this instant (exclusive), or null
 */
public record ArchiveFilters(List<String> mrns, List<String> mappings, ArchiveFormat format, Instant fetchedAfter,
        Instant fetchedBefore, List<String> types, Instant from, Instant to) {

    /** At most this many values per repeatable filter (they travel in a URL to mrn-service). */
    static final int MAX_VALUES = 500;
    /** The longest MRN there is (mrn-service accepts none longer). */
    static final int MAX_MRN_LENGTH = 64;
    /** The longest mapping id, name or key there is (config-service accepts no longer name). */
    static final int MAX_MAPPING_LENGTH = 200;
    /**
     * The most characters the mrn and mapping values may take in mrn-service's URL, percent-encoded: well under its
     * 4096-character request line, so that a long filter is a 400 here and never a failed call there.
     */
    static final int MAX_FORWARDED_CHARS = 3000;
    /** A FHIR resource type name, such as {@code Observation}. */
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");

    public ArchiveFilters {
        mrns = List.copyOf(new LinkedHashSet<>(mrns));
        mappings = List.copyOf(new LinkedHashSet<>(mappings));
        types = List.copyOf(new TreeSet<>(types));
    }

    /** Instance filters only: every resource of the chosen payloads. */
    public ArchiveFilters(List<String> mrns, List<String> mappings, ArchiveFormat format, Instant fetchedAfter,
            Instant fetchedBefore) {
        this(mrns, mappings, format, fetchedAfter, fetchedBefore, List.of(), null, null);
    }

    /** Everything, as json. */
    public static ArchiveFilters all() {
        return new ArchiveFilters(List.of(), List.of(), ArchiveFormat.json, null, null);
    }

    /** The per-resource filters (types, clinical dates). */
    public ResourceFilter resourceFilter() {
        return new ResourceFilter(Set.copyOf(types), from, to);
    }

    /**
     * Reads the query parameters of an archive request.
     *
     * @throws ProblemException 400 naming every offending parameter
     */
    public static ArchiveFilters parse(List<String> mrns, List<String> mappings, String format, String fetchedAfter,
            String fetchedBefore, String from, String to) {
        return parse(mrns, mappings, format, fetchedAfter, fetchedBefore, List.of(), from, to);
    }

    /**
     * Reads the query parameters of an archive request.
     *
     * @throws ProblemException 400 naming every offending parameter
     */
    public static ArchiveFilters parse(List<String> mrns, List<String> mappings, String format, String fetchedAfter,
            String fetchedBefore, List<String> types, String from, String to) {
        List<Problem.FieldError> errors = new ArrayList<>();
        List<String> mrnValues = values("mrn", mrns, MAX_MRN_LENGTH, errors);
        List<String> mappingValues = values("mapping", mappings, MAX_MAPPING_LENGTH, errors);
        if (forwardedLength(mrnValues, "mrn") + forwardedLength(mappingValues, "mapping") > MAX_FORWARDED_CHARS) {
            errors.add(new Problem.FieldError(mrnValues.isEmpty() ? "mapping" : "mrn", "The mrn and mapping filters "
                    + "are too long for one request (" + MAX_FORWARDED_CHARS + " characters, URL-encoded, in all);"
                    + " split the download."));
        }
        ArchiveFormat archiveFormat = ArchiveFormat.json;
        try {
            archiveFormat = ArchiveFormat.parse(format);
        } catch (ProblemException e) {
            errors.add(new Problem.FieldError("format", e.getMessage()));
        }
        Instant after = instant("fetchedAfter", fetchedAfter, errors);
        Instant before = instant("fetchedBefore", fetchedBefore, errors);
        if (after != null && before != null && !after.isBefore(before)) {
            errors.add(new Problem.FieldError("fetchedBefore", "fetchedBefore must be later than fetchedAfter."));
        }
        List<String> typeValues = values("type", types, 64, errors);
        for (String type : typeValues) {
            if (!RESOURCE_TYPE.matcher(type).matches()) {
                errors.add(new Problem.FieldError("type", "type must be a FHIR resource type such as Observation."));
                break;
            }
        }
        Instant clinicalFrom = clinicalBound("from", from, errors);
        Instant clinicalTo = clinicalBound("to", to, errors);
        if (clinicalFrom != null && clinicalTo != null && !clinicalFrom.isBefore(clinicalTo)) {
            errors.add(new Problem.FieldError("to", "to must be later than from."));
        }
        if (!errors.isEmpty()) {
            String detail = String.join(" ", errors.stream().map(Problem.FieldError::message).toList());
            throw new ProblemException(400, "Invalid request", detail, errors);
        }
        return new ArchiveFilters(mrnValues, mappingValues, archiveFormat, after, before, typeValues, clinicalFrom,
                clinicalTo);
    }

    private static Instant clinicalBound(String field, String value, List<Problem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ClinicalDates.bound(value);
        } catch (DateTimeParseException e) {
            errors.add(new Problem.FieldError(field, field + " must be an ISO-8601 date such as 2024-01-31 (the start"
                    + " of that day in UTC) or a date-time with an offset such as 2024-01-31T08:00:00Z."));
            return null;
        }
    }

    /** The trimmed values of a repeatable filter; never repeats a value in an error (an MRN is PHI). */
    private static List<String> values(String field, List<String> given, int maxLength,
            List<Problem.FieldError> errors) {
        List<String> values = new ArrayList<>();
        for (String value : given == null ? List.<String>of() : given) {
            if (value == null || value.isBlank()) {
                errors.add(new Problem.FieldError(field, field + " must not be blank when given."));
                return List.of();
            }
            String trimmed = value.trim();
            if (trimmed.length() > maxLength) {
                errors.add(new Problem.FieldError(field, "Each " + field + " value is at most " + maxLength
                        + " characters."));
                return List.of();
            }
            if (trimmed.chars().anyMatch(Character::isISOControl)) {
                errors.add(new Problem.FieldError(field, field + " values must not contain control characters."));
                return List.of();
            }
            values.add(trimmed);
        }
        if (values.size() > MAX_VALUES) {
            errors.add(new Problem.FieldError(field, "At most " + MAX_VALUES + " " + field
                    + " values per request; split the download."));
        }
        return values;
    }

    /** What the values take in a URL: {@code &field=value} each, percent-encoded. */
    private static int forwardedLength(List<String> values, String field) {
        int length = 0;
        for (String value : new LinkedHashSet<>(values)) {
            length += field.length() + 2 + URLEncoder.encode(value, StandardCharsets.UTF_8).length();
        }
        return length;
    }

    private static Instant instant(String field, String value, List<Problem.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            errors.add(new Problem.FieldError(field, field
                    + " must be an ISO-8601 instant such as 2026-01-31T00:00:00Z."));
            return null;
        }
    }

    /**
     * Whether an entry that mrn-service listed matches. mrn-service filters already; this check makes sure a
     * narrowed archive never holds another patient's data even if it did not.
     */
    public boolean matches(ArchiveEntry entry) {
        if (!mrns.isEmpty() && !mrns.contains(entry.mrn())) {
            return false;
        }
        if (!mappings.isEmpty() && !mappings.contains(String.valueOf(entry.mappingId()))
                && !mappings.contains(entry.mappingKey()) && !mappings.contains(entry.mappingName())) {
            return false;
        }
        if (fetchedAfter != null && (entry.fetchedAt() == null || entry.fetchedAt().isBefore(fetchedAfter))) {
            return false;
        }
        return fetchedBefore == null || (entry.fetchedAt() != null && entry.fetchedAt().isBefore(fetchedBefore));
    }

    /** The filters as the manifest shows them (the archive holds the MRNs anyway). */
    public Map<String, Object> manifestView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("format", format.name());
        view.put("mrn", mrns);
        view.put("mapping", mappings);
        putIfSet(view, "fetchedAfter", fetchedAfter);
        putIfSet(view, "fetchedBefore", fetchedBefore);
        putResourceFilters(view);
        return view;
    }

    private void putResourceFilters(Map<String, Object> view) {
        if (!types.isEmpty()) {
            view.put("type", types);
        }
        putIfSet(view, "from", from);
        putIfSet(view, "to", to);
    }

    /** The filters as the download audit keeps them: no MRN, only how many were asked for. */
    public Map<String, Object> auditView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("format", format.name());
        view.put("mrnCount", mrns.size());
        view.put("mapping", mappings);
        putIfSet(view, "fetchedAfter", fetchedAfter);
        putIfSet(view, "fetchedBefore", fetchedBefore);
        putResourceFilters(view);
        return view;
    }

    private static void putIfSet(Map<String, Object> view, String key, Instant value) {
        if (value != null) {
            view.put(key, value.toString());
        }
    }
}
