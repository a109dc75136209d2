package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SystemCoolDownTest {

    private final MovableClock clock = new MovableClock();
    private final SystemCoolDown coolDown = new SystemCoolDown(clock);

    @Test
    void aSystemIsOpenUntilItIsSlowedDown() {
        assertThat(coolDown.remaining(1)).isZero();
    }

    @Test
    void slowingDownHoldsThatSystemOnlyUntilTheWaitHasPassed() {
        coolDown.slowDown(1, Duration.ofSeconds(2));
        clock.advance(Duration.ofMillis(500));

        assertThat(coolDown.remaining(1)).isEqualTo(Duration.ofMillis(1_500));
        assertThat(coolDown.remaining(2)).isZero();
        clock.advance(Duration.ofMillis(1_500));
        assertThat(coolDown.remaining(1)).isZero();
    }

    @Test
    void aShorterWaitDoesNotShortenALongerOne() {
        coolDown.slowDown(1, Duration.ofSeconds(10));
        coolDown.slowDown(1, Duration.ofSeconds(1));

        assertThat(coolDown.remaining(1)).isEqualTo(Duration.ofSeconds(10));
        coolDown.slowDown(1, Duration.ofSeconds(20));
        assertThat(coolDown.remaining(1)).isEqualTo(Duration.ofSeconds(20));
    }

    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-11-26T13:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
