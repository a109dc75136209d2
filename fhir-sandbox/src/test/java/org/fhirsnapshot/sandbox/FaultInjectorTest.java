package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The time-driven faults (the throttle window, the token bucket) on a hand-moved clock: what they answer at each
 * instant, without waiting for real time to pass.
 */
class FaultInjectorTest {

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final RequestCounters counters = new RequestCounters();
    private final FaultInjector faults = new FaultInjector(counters, nanos::get);

    @Test
    void throttleWindowStartsAtTheFirstRequestAfterItIsSetNotWhenItIsSet() {
        faults.set(SandboxFaults.none().withThrottleWindow(2, 1_000));
        advanceMillis(60_000);

        assertThat(faults.throttleWindow()).isEqualTo(2);
        advanceMillis(999);
        assertThat(faults.throttleWindow()).isEqualTo(2);
        advanceMillis(1);
        assertThat(faults.throttleWindow()).isZero();
        assertThat(faults.throttleWindow()).isZero();
        assertThat(counters.snapshot().throttled()).isEqualTo(2);
    }

    @Test
    void settingFaultsAgainStartsANewThrottleWindowAtTheNextRequest() {
        faults.set(SandboxFaults.none().withThrottleWindow(3, 10));
        assertThat(faults.throttleWindow()).isEqualTo(3);
        advanceMillis(10);
        assertThat(faults.throttleWindow()).isZero();

        faults.set(SandboxFaults.none().withThrottleWindow(3, 10));
        advanceMillis(1_000);

        assertThat(faults.throttleWindow()).isEqualTo(3);
        assertThat(counters.snapshot().throttled()).isEqualTo(2);
    }

    @Test
    void withoutAThrottleWindowEveryRequestPasses() {
        faults.set(SandboxFaults.none().withRateLimitPerSecond(5));

        assertThat(faults.throttleWindow()).isZero();
        assertThat(counters.snapshot().throttled()).isZero();
    }

    @Test
    void tokenBucketHoldsOneSecondOfRequestsThenAnswersRetryAfterUntilItRefills() {
        faults.set(SandboxFaults.none().withRateLimitPerSecond(2));

        assertThat(faults.throttle()).isZero();
        assertThat(faults.throttle()).isZero();
        assertThat(faults.throttle()).isEqualTo(1);
        advanceMillis(400);
        assertThat(faults.throttle()).as("0.8 tokens").isEqualTo(1);
        advanceMillis(200);
        assertThat(faults.throttle()).as("1.2 tokens").isZero();
        assertThat(faults.throttle()).isEqualTo(1);
        assertThat(counters.snapshot().throttled()).isEqualTo(3);
    }

    @Test
    void tokenBucketRetryAfterIsTheWholeSecondsUntilTheNextToken() {
        faults.set(SandboxFaults.none().withRateLimitPerSecond(0.25));

        assertThat(faults.throttle()).isZero();
        assertThat(faults.throttle()).isEqualTo(4);
        advanceMillis(1_500);
        assertThat(faults.throttle()).isEqualTo(3);
        advanceMillis(2_600);
        assertThat(faults.throttle()).isZero();
    }

    private void advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
