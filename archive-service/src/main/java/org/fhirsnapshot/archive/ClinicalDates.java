package org.fhirsnapshot.archive;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The clinical date of a FHIR R4 resource, as the archive's {@code from}/{@code to} filter reads it: the time span
 * that a resource is about, per type.
 * <ul>
 * <li>Observation: {@code effectiveDateTime}, {@code effectiveInstant}, {@code effectivePeriod};</li>
 * <li>Condition: {@code onsetDateTime} or {@code onsetPeriod}, else {@code recordedDate};</li>
 * <li>Encounter: {@code period}; MedicationRequest: {@code authoredOn};</li>
 * <li>Immunization: {@code occurrenceDateTime}; Procedure: {@code performedDateTime}, {@code performedPeriod};</li>
 * <li>AllergyIntolerance: {@code recordedDate}; DocumentReference: {@code date}.</li>
 * </ul>
 * Any other type, or a resource without such an element (or with only a non-date form such as {@code onsetAge},
 * {@code occurrenceString}), is undated.
 * <p>
 * A FHIR date is a span, not a point: {@code 2024} covers the whole year, {@code 2024-03} the month,
 * {@code 2024-03-05} the day, a dateTime with seconds its own millisecond. Dates without a time zone (the FHIR
 * {@code date} type, and partial dates) are read in UTC. A Period runs from the start of its {@code start} to the end
 * of its {@code end}; a missing bound is open. Parsing is java.time's ISO parsers ({@link OffsetDateTime},
 * {@link LocalDate}, {@link YearMonth}, {@link Year}); a value none of them accepts counts as undated.
 * <p>
 * Pure and thread-safe.
 */
public final class ClinicalDates {

    /** Per resource type, the elements that carry its clinical date, in order of preference. */
    private static final Map<String, List<String>> ELEMENTS = Map.of(
            "Observation", List.of("effectiveDateTime", "effectiveInstant", "effectivePeriod"),
            "Condition", List.of("onsetDateTime", "onsetPeriod", "recordedDate"),
            "Encounter", List.of("period"),
            "MedicationRequest", List.of("authoredOn"),
            "Immunization", List.of("occurrenceDateTime"),
            "Procedure", List.of("performedDateTime", "performedPeriod"),
            "AllergyIntolerance", List.of("recordedDate"),
            "DocumentReference", List.of("date"));

    private ClinicalDates() {
    }

    /**
     * A span of time, {@code [start, end)}; a null bound is open.
     *
     * @param start first instant covered, or null (open)
     * @param end first instant no longer covered, or null (open)
     */
    public record Span(Instant start, Instant end) {

        /** Whether this span and {@code [from, to)} share an instant; null bounds of the range are open. */
        public boolean overlaps(Instant from, Instant to) {
            boolean startsBeforeTo = to == null || start == null || start.isBefore(to);
            boolean endsAfterFrom = from == null || end == null || end.isAfter(from);
            return startsBeforeTo && endsAfterFrom;
        }
    }

    /** The resource's clinical date, or empty when it has none (it is then undated). */
    public static Optional<Span> of(JsonNode resource) {
        List<String> elements = ELEMENTS.get(resource.path("resourceType").asText(""));
        if (elements == null) {
            return Optional.empty();
        }
        for (String element : elements) {
            JsonNode value = resource.get(element);
            if (value == null || value.isNull()) {
                continue;
            }
            Optional<Span> span = value.isObject()
                    ? period(value)
                    : value.isTextual()
                            ? span(value.asText())
                            : Optional.empty();
            if (span.isPresent()) {
                return span;
            }
        }
        return Optional.empty();
    }

    /** A FHIR Period: the start of {@code start} to the end of {@code end}; empty if it has neither. */
    static Optional<Span> period(JsonNode period) {
        Optional<Span> start = span(period.path("start").asText(""));
        Optional<Span> end = span(period.path("end").asText(""));
        if (start.isEmpty() && end.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Span(start.map(Span::start).orElse(null), end.map(Span::end).orElse(null)));
    }

    /**
     * The span a FHIR {@code date}, {@code dateTime} or {@code instant} covers: a year, a month, a day (in UTC), or
     * the millisecond of a time; empty if it is none of them.
     */
    public static Optional<Span> span(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.trim();
        try {
            if (text.indexOf('T') >= 0) {
                Instant instant = dateTime(text);
                return Optional.of(new Span(instant, instant.plusMillis(1)));
            }
            return Optional.of(switch (text.length()) {
                case 4 -> days(Year.parse(text).atDay(1), Year.parse(text).plusYears(1).atDay(1));
                case 7 -> days(YearMonth.parse(text).atDay(1), YearMonth.parse(text).plusMonths(1).atDay(1));
                default -> days(LocalDate.parse(text), LocalDate.parse(text).plusDays(1));
            });
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * A bound given by a client: an ISO date ({@code 2024-03-05}, the start of that day in UTC) or a date-time with
     * an offset ({@code 2024-03-05T10:00:00Z}, {@code 2024-03-05T10:00:00+01:00}).
     *
     * @throws DateTimeParseException if it is neither
     */
    public static Instant bound(String value) {
        String text = value.trim();
        if (text.indexOf('T') >= 0) {
            return OffsetDateTime.parse(text).toInstant();
        }
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** A dateTime with a time: with its offset, or in UTC when it has none (FHIR requires one; some EHRs omit it). */
    private static Instant dateTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        }
    }

    private static Span days(LocalDate first, LocalDate next) {
        return new Span(first.atStartOfDay(ZoneOffset.UTC).toInstant(), next.atStartOfDay(ZoneOffset.UTC).toInstant());
    }
}
