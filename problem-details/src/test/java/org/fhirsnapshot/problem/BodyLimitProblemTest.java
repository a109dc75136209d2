package org.fhirsnapshot.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BodyLimitProblemTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void theDetailSaysTheLimitInItsLargestWholeUnitThenTheServicesHint() {
        assertThat(BodyLimitProblem.detail(8 * MIB, Optional.of("An upload carries at most 10 MRNs.")))
                .isEqualTo("The request body is larger than the 8 MiB this service accepts, so it was not read. "
                        + "An upload carries at most 10 MRNs.");
        assertThat(BodyLimitProblem.detail(64 * 1024, Optional.empty()))
                .isEqualTo("The request body is larger than the 64 KiB this service accepts, so it was not read.");
        assertThat(BodyLimitProblem.detail(1000, Optional.of("  "))).contains("the 1000 bytes this service")
                .endsWith("not read.");
    }

    @Test
    void aRefusedBodyIsReadToTwiceALargeLimitAndToSixteenMebibytesForASmallOne() {
        assertThat(BodyLimitProblem.discardAtMost(64 * 1024)).isEqualTo(16 * MIB);
        assertThat(BodyLimitProblem.discardAtMost(10240 * 1024)).isEqualTo(20 * MIB);
        assertThat(BodyLimitProblem.discardAtMost(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }
}
