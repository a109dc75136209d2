package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;
import org.junit.jupiter.api.Test;

class ArchiveFiltersTest {

    @Test
    void noParametersMeanEverythingAsJson() {
        ArchiveFilters filters = ArchiveFilters.parse(null, null, null, null, null, null, null);
        assertThat(filters).isEqualTo(ArchiveFilters.all());
    }

    @Test
    void anUnknownFormatIsA400NamingTheField() {
        assertThatThrownBy(() -> ArchiveFilters.parse(List.of(), List.of(), "csv", null, null, null, null))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    Problem problem = e.toProblem();
                    assertThat(problem.status()).isEqualTo(400);
                    assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly("format");
                    assertThat(problem.detail()).contains("json or ndjson");
                });
    }

    @Test
    void clinicalDatesAreIsoDatesOrDateTimesWithAnOffsetAndFromMustComeBeforeTo() {
        ArchiveFilters filters = ArchiveFilters.parse(List.of(), List.of(), null, null, null,
                List.of("Observation", "Condition", "Observation"), "2020-01-01", "2020-02-01T12:00:00+01:00");
        assertThat(filters.from()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(filters.to()).isEqualTo(Instant.parse("2020-02-01T11:00:00Z"));
        assertThat(filters.types()).containsExactly("Condition", "Observation");
        assertThat(filters.resourceFilter().active()).isTrue();
        assertThat(filters.manifestView()).containsEntry("from", "2020-01-01T00:00:00Z")
                .containsEntry("type", List.of("Condition", "Observation"));

        assertThatThrownBy(() -> ArchiveFilters.parse(List.of(), List.of(), null, null, null, List.of("observation"),
                "01/01/2020", "2019-01-01"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.toProblem().errors())
                        .extracting(Problem.FieldError::field).containsExactly("type", "from"));
        assertThatThrownBy(() -> ArchiveFilters.parse(List.of(), List.of(), null, null, null, List.of(),
                "2020-01-01", "2020-01-01"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.toProblem().errors())
                        .extracting(Problem.FieldError::field).containsExactly("to"));
    }

    @Test
    void filterValuesNoMrnOrMappingCouldHaveAreA400ThatNeverRepeatsThem() {
        String tooLong = "m".repeat(ArchiveFilters.MAX_MRN_LENGTH + 1);
        for (List<String> mrns : List.of(List.of(tooLong), List.of("ab\u0000c"), List.of("ok", "a\nb"),
                java.util.Collections.nCopies(ArchiveFilters.MAX_VALUES + 1, "m"))) {
            assertThatThrownBy(() -> ArchiveFilters.parse(mrns, List.of(), null, null, null, null, null))
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.toProblem().status()).isEqualTo(400);
                        assertThat(e.toProblem().errors()).extracting(Problem.FieldError::field)
                                .containsExactly("mrn");
                        assertThat(e.getMessage()).doesNotContain(tooLong).doesNotContain("ab");
                    });
        }
        assertThatThrownBy(() -> ArchiveFilters.parse(List.of(), List.of("x".repeat(201)), null, null, null, null,
                null)).isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.toProblem().errors())
                        .extracting(Problem.FieldError::field).containsExactly("mapping"));
        // 400 distinct MRNs of 10 characters fit the value count but not mrn-service's request line.
        List<String> many = java.util.stream.IntStream.range(0, 400).mapToObj(i -> String.format("mrn-%06d", i))
                .toList();
        assertThatThrownBy(() -> ArchiveFilters.parse(many, List.of(), null, null, null, null, null))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.getMessage())
                        .contains("split the download"));
        assertThat(ArchiveFilters.parse(many.subList(0, 150), List.of("Laboratory results"), null, null, null, null,
                null).mrns()).hasSize(150);
    }

    @Test
    void badFetchTimesAndBlankValuesAreReportedTogether() {
        assertThatThrownBy(() -> ArchiveFilters.parse(List.of(" "), List.of(), null, "yesterday",
                "2026-01-01T00:00:00Z", null, null))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.toProblem().errors())
                        .extracting(Problem.FieldError::field).containsExactly("mrn", "fetchedAfter"));
        assertThatThrownBy(() -> ArchiveFilters.parse(List.of(), List.of(), null, "2026-02-01T00:00:00Z",
                "2026-01-01T00:00:00Z", null, null)).isInstanceOf(ProblemException.class);
    }

    @Test
    void aMappingFilterMatchesByIdNameOrKey() {
        ArchiveEntry entry = entry("MRN1", 17, "laboratory", "Laboratory results", Instant.now());
        assertThat(filters(List.of(), List.of("17")).matches(entry)).isTrue();
        assertThat(filters(List.of(), List.of("laboratory")).matches(entry)).isTrue();
        assertThat(filters(List.of(), List.of("Laboratory results")).matches(entry)).isTrue();
        assertThat(filters(List.of(), List.of("18", "vital-signs")).matches(entry)).isFalse();
    }

    @Test
    void anMrnFilterKeepsOtherPatientsOut() {
        ArchiveEntry entry = entry("MRN1", 1, "labs", "Labs", Instant.now());
        assertThat(filters(List.of("MRN1", "MRN2"), List.of()).matches(entry)).isTrue();
        assertThat(filters(List.of("MRN2"), List.of()).matches(entry)).isFalse();
    }

    @Test
    void fetchTimeBoundsAreInclusiveAfterAndExclusiveBefore() {
        Instant at = Instant.parse("2026-05-01T12:00:00Z");
        ArchiveEntry entry = entry("MRN1", 1, "labs", "Labs", at);
        assertThat(ArchiveFilters.parse(null, null, null, at.toString(), null, null, null).matches(entry)).isTrue();
        assertThat(ArchiveFilters.parse(null, null, null, null, at.toString(), null, null).matches(entry)).isFalse();
        assertThat(ArchiveFilters.parse(null, null, null, "2026-05-01T12:00:01Z", null, null, null).matches(entry))
                .isFalse();
        ArchiveEntry neverFetched = entry("MRN1", 1, "labs", "Labs", null);
        assertThat(ArchiveFilters.parse(null, null, null, at.toString(), null, null, null).matches(neverFetched))
                .isFalse();
    }

    @Test
    void theAuditViewHoldsNoMrnOnlyHowManyWereAskedFor() {
        ArchiveFilters filters = ArchiveFilters.parse(List.of("MRN1", "MRN2", "MRN1"), List.of("labs"), "json", null,
                null, null, null);
        assertThat(filters.auditView()).containsEntry("mrnCount", 2).containsEntry("mapping", List.of("labs"))
                .doesNotContainKey("mrn");
        assertThat(filters.auditView().toString()).doesNotContain("MRN1", "MRN2");
        assertThat(filters.manifestView()).containsEntry("mrn", List.of("MRN1", "MRN2"));
    }

    private static ArchiveFilters filters(List<String> mrns, List<String> mappings) {
        return new ArchiveFilters(mrns, mappings, ArchiveFormat.json, null, null);
    }

    private static ArchiveEntry entry(String mrn, long mappingId, String key, String name, Instant fetchedAt) {
        return new ArchiveEntry(1, mrn, mappingId, key, name, "Observation", "Observation", "completed", null,
                fetchedAt, null, null, false, 0);
    }
}
