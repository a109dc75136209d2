package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClinicalDatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void partialDatesCoverTheirWholeYearMonthOrDayInUtc() {
        assertThat(ClinicalDates.span("2024")).contains(span("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"));
        assertThat(ClinicalDates.span("2024-02")).contains(span("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"));
        assertThat(ClinicalDates.span("2024-02-29")).contains(span("2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"));
    }

    @Test
    void dateTimesAreInstantsInTheirOwnOffsetAndThoseWithoutOneAreReadInUtc() {
        assertThat(ClinicalDates.span("2024-03-05T10:15:30+02:00"))
                .contains(span("2024-03-05T08:15:30Z", "2024-03-05T08:15:30.001Z"));
        assertThat(ClinicalDates.span("2024-03-05T10:15:30.123Z"))
                .contains(span("2024-03-05T10:15:30.123Z", "2024-03-05T10:15:30.124Z"));
        assertThat(ClinicalDates.span("2024-03-05T10:15:30"))
                .contains(span("2024-03-05T10:15:30Z", "2024-03-05T10:15:30.001Z"));
    }

    @Test
    void valuesThatAreNotFhirDatesAreUndated() {
        assertThat(ClinicalDates.span("yesterday")).isEmpty();
        assertThat(ClinicalDates.span("2024-13")).isEmpty();
        assertThat(ClinicalDates.span("2024-02-30")).isEmpty();
        assertThat(ClinicalDates.span("")).isEmpty();
        assertThat(ClinicalDates.span(null)).isEmpty();
    }

    @Test
    void eachResourceTypeIsDatedByItsOwnClinicalElement() {
        assertThat(start("{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"2020-01-02\"}"))
                .isEqualTo("2020-01-02T00:00:00Z");
        assertThat(start("{\"resourceType\":\"Observation\",\"effectiveInstant\":\"2020-01-02T03:04:05Z\"}"))
                .isEqualTo("2020-01-02T03:04:05Z");
        assertThat(start("{\"resourceType\":\"Observation\",\"effectivePeriod\":{\"start\":\"2020-01\"}}"))
                .isEqualTo("2020-01-01T00:00:00Z");
        assertThat(start("{\"resourceType\":\"Condition\",\"onsetDateTime\":\"2018\",\"recordedDate\":\"2020\"}"))
                .isEqualTo("2018-01-01T00:00:00Z");
        // onsetAge is not a date: recordedDate dates the Condition.
        assertThat(start("{\"resourceType\":\"Condition\",\"onsetAge\":{\"value\":40},\"recordedDate\":\"2020\"}"))
                .isEqualTo("2020-01-01T00:00:00Z");
        assertThat(start("{\"resourceType\":\"Encounter\",\"period\":{\"start\":\"2021-06-01T08:00:00Z\"}}"))
                .isEqualTo("2021-06-01T08:00:00Z");
        assertThat(start("{\"resourceType\":\"MedicationRequest\",\"authoredOn\":\"2022-02-02\"}"))
                .isEqualTo("2022-02-02T00:00:00Z");
        assertThat(start("{\"resourceType\":\"Immunization\",\"occurrenceDateTime\":\"2019-10\"}"))
                .isEqualTo("2019-10-01T00:00:00Z");
        assertThat(start("{\"resourceType\":\"Procedure\",\"performedPeriod\":{\"start\":\"2017-05-05\"}}"))
                .isEqualTo("2017-05-05T00:00:00Z");
        assertThat(start("{\"resourceType\":\"AllergyIntolerance\",\"recordedDate\":\"2016-07-07\"}"))
                .isEqualTo("2016-07-07T00:00:00Z");
        assertThat(start("{\"resourceType\":\"DocumentReference\",\"date\":\"2015-08-08T09:00:00Z\"}"))
                .isEqualTo("2015-08-08T09:00:00Z");
    }

    @Test
    void typesWithoutAClinicalDateAndNonDateFormsAreUndated() {
        assertThat(ClinicalDates.of(json("{\"resourceType\":\"Patient\",\"birthDate\":\"1970-01-01\"}"))).isEmpty();
        assertThat(ClinicalDates.of(json("{\"resourceType\":\"Immunization\",\"occurrenceString\":\"childhood\"}")))
                .isEmpty();
        assertThat(ClinicalDates.of(json("{\"resourceType\":\"Observation\",\"effectivePeriod\":{}}"))).isEmpty();
        assertThat(ClinicalDates.of(json("{\"resourceType\":\"Observation\",\"issued\":\"2020-01-01T00:00:00Z\"}")))
                .isEmpty();
    }

    @Test
    void aPeriodRunsFromTheStartOfItsStartToTheEndOfItsEndAndAMissingBoundIsOpen() {
        ClinicalDates.Span closed = ClinicalDates.period(json("{\"start\":\"2020-01\",\"end\":\"2020-03\"}"))
                .orElseThrow();
        assertThat(closed).isEqualTo(span("2020-01-01T00:00:00Z", "2020-04-01T00:00:00Z"));
        ClinicalDates.Span ongoing = ClinicalDates.period(json("{\"start\":\"2020-01-01\"}")).orElseThrow();
        assertThat(ongoing.end()).isNull();
        assertThat(ongoing.overlaps(Instant.parse("2030-01-01T00:00:00Z"), null)).isTrue();
    }

    @Test
    void rangesAreFromInclusiveToExclusive() {
        Instant from = Instant.parse("2020-01-01T00:00:00Z");
        Instant to = Instant.parse("2020-02-01T00:00:00Z");
        assertThat(ClinicalDates.span("2020-01-01T00:00:00Z").orElseThrow().overlaps(from, to)).isTrue();
        assertThat(ClinicalDates.span("2020-02-01T00:00:00Z").orElseThrow().overlaps(from, to)).isFalse();
        assertThat(ClinicalDates.span("2019-12-31T23:59:59.999Z").orElseThrow().overlaps(from, to)).isFalse();
        // A partial date overlapping the range in part is kept.
        assertThat(ClinicalDates.span("2019").orElseThrow().overlaps(Instant.parse("2019-12-31T12:00:00Z"), to))
                .isTrue();
        assertThat(ClinicalDates.span("2019").orElseThrow().overlaps(from, to)).isFalse();
    }

    @Test
    void requestBoundsAreDatesAtTheStartOfTheDayInUtcOrDateTimesWithAnOffset() {
        assertThat(ClinicalDates.bound("2024-01-31")).isEqualTo(Instant.parse("2024-01-31T00:00:00Z"));
        assertThat(ClinicalDates.bound("2024-01-31T08:00:00+01:00")).isEqualTo(Instant.parse("2024-01-31T07:00:00Z"));
        assertThatThrownBy(() -> ClinicalDates.bound("31/01/2024")).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> ClinicalDates.bound("2024-01-31T08:00:00")).isInstanceOf(
                DateTimeParseException.class);
    }

    @Test
    void resourceFilterKeepsUndatedResourcesAndDropsOtherTypes() {
        ResourceFilter filter = new ResourceFilter(Set.of("Observation", "Patient"),
                Instant.parse("2020-01-01T00:00:00Z"), null);
        assertThat(filter.decide(json("{\"resourceType\":\"Patient\"}")))
                .isEqualTo(ResourceFilter.Decision.KEEP_UNDATED);
        assertThat(filter.decide(json("{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"2021\"}")))
                .isEqualTo(ResourceFilter.Decision.KEEP);
        assertThat(filter.decide(json("{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"2019\"}")))
                .isEqualTo(ResourceFilter.Decision.DROP);
        assertThat(filter.decide(json("{\"resourceType\":\"Condition\",\"recordedDate\":\"2021\"}")))
                .isEqualTo(ResourceFilter.Decision.DROP);
        assertThat(ResourceFilter.none().active()).isFalse();
        assertThat(new ResourceFilter(Set.of(), null, null).decide(json("{\"resourceType\":\"Patient\"}")))
                .isEqualTo(ResourceFilter.Decision.KEEP);
        assertThat(List.of(filter.active(), filter.dated())).containsExactly(true, true);
    }

    private static String start(String resource) {
        return ClinicalDates.of(json(resource)).orElseThrow().start().toString();
    }

    private static ClinicalDates.Span span(String start, String end) {
        return new ClinicalDates.Span(Instant.parse(start), Instant.parse(end));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
