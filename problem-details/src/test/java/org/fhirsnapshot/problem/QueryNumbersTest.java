package org.fhirsnapshot.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class QueryNumbersTest {

    @ParameterizedTest
    @NullAndEmptySource
    void anAbsentParameterTakesItsDefault(String raw) {
        assertThat(QueryNumbers.wholeNumber("limit", raw, 1000, 1, 5000)).isEqualTo(1000);
        assertThat(Paging.of(raw, raw, 50, 500)).isEqualTo(new Paging(0, 50));
    }

    @Test
    void wholeNumbersInRangeAreRead() {
        assertThat(Paging.of("1000000", "500", 50, 500)).isEqualTo(new Paging(Paging.MAX_PAGE, 500));
        assertThat(Paging.of("0", "1", 50, 500)).isEqualTo(new Paging(0, 1));
        assertThat(QueryNumbers.wholeNumber("afterId", "9223372036854775807", 0L, 0, Long.MAX_VALUE))
                .isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-0", "+1", " 1", "1 ", " ", "1.5", "1e3", "0x10", "abc", "\u0661", "%00",
            "1000001", "2147483648", "9223372036854775808", "99999999999999999999999"})
    void anythingButAWholeNumberInRangeIsAProblemNamingTheParameterAndItsRange(String raw) {
        assertThatThrownBy(() -> Paging.of(raw, null, 50, 500)).isInstanceOfSatisfying(ProblemException.class,
                e -> {
                    Problem problem = e.toProblem();
                    assertThat(problem.status()).isEqualTo(400);
                    assertThat(problem.detail()).isEqualTo("page must be a whole number from 0 to 1000000.");
                    assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly("page");
                });
    }

    @Test
    void theSizeIsCheckedAgainstTheListsOwnLargestSize() {
        assertThatThrownBy(() -> Paging.of(null, "201", 20, 200)).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.getMessage()).isEqualTo("size must be a whole number from 1 to 200."));
        assertThatThrownBy(() -> Paging.of(null, "0", 20, 200)).isInstanceOf(ProblemException.class);
    }

    @Test
    void theValueIsNeverRepeated() {
        String value = "MRN-12345";
        assertThatThrownBy(() -> QueryNumbers.wholeNumber("limit", value, 10, 1, 100))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.toProblem().toString()).doesNotContain(value));
    }
}
