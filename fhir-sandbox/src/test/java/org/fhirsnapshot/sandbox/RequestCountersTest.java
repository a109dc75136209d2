package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** {@code peakRequestsPerSecond} on a hand-moved clock: which requests share a sliding second, without waiting. */
class RequestCountersTest {

    private final AtomicLong nanos = new AtomicLong(7_000_000_000L);
    private final RequestCounters counters = new RequestCounters(nanos::get);

    @Test
    void peakIsTheMostRequestsArrivingWithinOneSlidingSecond() {
        countRequests(3);
        advanceMillis(600);
        countRequests(4);
        assertThat(counters.snapshot().peakRequestsPerSecond()).as("3 + 4 within 600 ms").isEqualTo(7);

        advanceMillis(400);
        countRequests(2);
        assertThat(counters.snapshot().peakRequestsPerSecond())
                .as("the first 3 are a full second old: 4 + 2 share the window").isEqualTo(7);

        advanceMillis(599);
        countRequests(2);
        assertThat(counters.snapshot().peakRequestsPerSecond()).as("4 + 2 + 2 within 999 ms").isEqualTo(8);
        assertThat(counters.snapshot().requests()).isEqualTo(11);
    }

    @Test
    void requestsASecondApartNeverShareTheWindowSoASteadyRateGivesItsRate() {
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 10; i++) {
                counters.countRequest();
                advanceMillis(100);
            }
        }

        assertThat(counters.snapshot().peakRequestsPerSecond()).isEqualTo(10);
        assertThat(counters.snapshot().requests()).isEqualTo(50);
    }

    @Test
    void settingFaultsRestartsThePeakButNotTheCounters() {
        FaultInjector faults = new FaultInjector(counters, nanos::get);
        countRequests(9);

        faults.set(SandboxFaults.none().withRateLimitPerSecond(5));
        assertThat(counters.snapshot().peakRequestsPerSecond()).isZero();
        countRequests(2);

        assertThat(counters.snapshot().peakRequestsPerSecond()).as("the 9 before do not count").isEqualTo(2);
        assertThat(counters.snapshot().requests()).isEqualTo(11);
        faults.reset();
        assertThat(counters.snapshot().peakRequestsPerSecond()).isZero();
    }

    private void countRequests(int count) {
        for (int i = 0; i < count; i++) {
            counters.countRequest();
        }
    }

    private void advanceMillis(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
