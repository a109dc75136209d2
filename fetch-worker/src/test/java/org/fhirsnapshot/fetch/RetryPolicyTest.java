package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.json;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.outcome;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final String EPIC = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";
    private static final Instant NOW = Instant.parse("2026-11-26T13:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** No randomness: jitter adds nothing. */
    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(30), CLOCK,
            bound -> 0);

    @Test
    void retryAfterInSecondsIsThatManySeconds() {
        assertThat(RetryPolicy.retryAfter("120", CLOCK)).hasValue(Duration.ofSeconds(120));
        assertThat(RetryPolicy.retryAfter(" 0 ", CLOCK)).hasValue(Duration.ZERO);
    }

    @Test
    void retryAfterAsAnHttpDateIsTheTimeUntilThatDate() {
        assertThat(RetryPolicy.retryAfter("Thu, 26 Nov 2026 13:00:45 GMT", CLOCK)).hasValue(Duration.ofSeconds(45));
    }

    @Test
    void retryAfterAsAnHttpDateInThePastMeansNoWait() {
        assertThat(RetryPolicy.retryAfter("Thu, 26 Nov 2026 12:59:00 GMT", CLOCK)).hasValue(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "soon", "-5x", "2026-11-26T13:00:45Z"})
    void unreadableRetryAfterIsIgnored(String value) {
        assertThat(RetryPolicy.retryAfter(value, CLOCK)).isEmpty();
        assertThat(RetryPolicy.retryAfter(null, CLOCK)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 502, 503, 504})
    void transientStatusesAreRetriedWithExponentialBackoff(int status) {
        assertThat(policy.afterResponse(0, status, null, null)).hasValue(Duration.ofMillis(250));
        assertThat(policy.afterResponse(1, status, null, null)).hasValue(Duration.ofMillis(500));
        assertThat(policy.afterResponse(2, status, null, null)).hasValue(Duration.ofMillis(1_000));
        assertThat(policy.afterResponse(3, status, null, null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 401, 403, 404, 410, 422, 501})
    void otherStatusesAreNotRetried(int status) {
        assertThat(policy.afterResponse(0, status, "1", null)).isEmpty();
    }

    @Test
    void retryAfterIsHonouredInEitherForm() {
        assertThat(policy.afterResponse(0, 429, "2", null)).hasValue(Duration.ofSeconds(2));
        assertThat(policy.afterResponse(0, 503, "Thu, 26 Nov 2026 13:00:03 GMT", null))
                .hasValue(Duration.ofSeconds(3));
    }

    @Test
    void retryAfterLongerThanTheMaximumBackoffEndsTheRetries() {
        assertThat(policy.afterResponse(0, 429, "31", null)).isEmpty();
    }

    @Test
    void epicDailyLimitUnder429IsNotRetried() {
        assertThat(policy.afterResponse(0, 429, "1", json(outcome("error", "throttled", EPIC, "4135")))).isEmpty();
    }

    @Test
    void epicNotAuthorizedUnder500IsNotRetried() {
        assertThat(policy.afterResponse(0, 500, null, json(outcome("error", "forbidden", EPIC, "4118")))).isEmpty();
    }

    @Test
    void throttledOutcomeWithoutEpicCodeIsRetried() {
        assertThat(policy.afterResponse(0, 429, "1", json(outcome("error", "throttled", "http://x", "slow"))))
                .hasValue(Duration.ofSeconds(1));
    }

    @Test
    void backoffIsCappedAtTheMaximum() {
        assertThat(policy.backoff(10)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void jitterKeepsHalfTheBackoffFixedAndAddsAtMostTheOtherHalf() {
        RetryPolicy highest = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(30), CLOCK,
                bound -> bound);

        assertThat(highest.backoff(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(highest.backoff(2)).isEqualTo(Duration.ofMillis(2_000));
        assertThat(highest.waitAfter(0, "10")).isEqualTo(Duration.ofMillis(10_500));
        assertThat(highest.waitAfter(0, "2")).isEqualTo(Duration.ofMillis(2_200));
    }

    @Test
    void defaultRandomStaysWithinTheJitterBounds() {
        RetryPolicy real = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(30), CLOCK,
                bound -> java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1));
        for (int i = 0; i < 200; i++) {
            assertThat(real.backoff(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1_000));
        }
    }

    @Test
    void timeoutsAndConnectionErrorsAreRetriedUntilTheAttemptsRunOut() {
        assertThat(policy.afterFailure(0, new TimeoutException())).hasValue(Duration.ofMillis(250));
        assertThat(policy.afterFailure(2, new ConnectException("refused"))).hasValue(Duration.ofMillis(1_000));
        assertThat(policy.afterFailure(1, new IOException("reset"))).isPresent();
        assertThat(policy.afterFailure(3, new TimeoutException())).isEmpty();
    }

    @Test
    void ourOwnFailuresAndBugsAreNotRetried() {
        assertThat(policy.afterFailure(0, new FetchFailure(ErrorClass.AUTH, "no"))).isEmpty();
        assertThat(policy.afterFailure(0, new IllegalStateException("bug"))).isEmpty();
    }
}
