package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private final RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(20));

    @Test
    void waitDoublesWithEveryFailedAttempt() {
        assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.after(4)).isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void waitNeverExceedsTheMaximumEvenAfterManyAttempts() {
        assertThat(backoff.after(5)).isEqualTo(Duration.ofSeconds(20));
        assertThat(backoff.after(500)).isEqualTo(Duration.ofSeconds(20));
    }
}
