package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.VertxException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.LongUnaryOperator;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * When one request toward an EHR is tried again, and after how long. Transient answers (429, 500, 502, 503, 504
 * that {@link OperationOutcomeClassifier} does not read as something else, such as Epic 4135 or 4118), timeouts
 * and connection errors are retried up to {@code retry.max-retries} times; the wait is the answer's
 * {@code Retry-After} (delay-seconds or an HTTP date) or else {@code initial-backoff × 2^retry} capped at
 * {@code max-backoff}, with jitter. A {@code Retry-After} longer than {@code max-backoff} ends the retries. Pure
 * apart from its random source and clock.
 */
@ApplicationScoped
public class RetryPolicy {

    static final Set<Integer> TRANSIENT_STATUSES = Set.of(429, 500, 502, 503, 504);
    /** Jitter added to a Retry-After: at most this share of it (and at most {@link #MAX_RETRY_AFTER_JITTER}). */
    private static final double RETRY_AFTER_JITTER_SHARE = 0.1;
    private static final Duration MAX_RETRY_AFTER_JITTER = Duration.ofMillis(500);

    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Clock clock;
    /** {@code bound → a number in [0, bound]}. */
    private final LongUnaryOperator random;

    @Inject
    public RetryPolicy(FetchConfig config) {
        this(config.retry().maxRetries(), config.retry().initialBackoff(), config.retry().maxBackoff(),
                Clock.systemUTC(), bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, Clock clock, LongUnaryOperator random) {
        this.maxRetries = maxRetries;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
        this.random = random;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * The wait before trying again after the answer to try number {@code retry} (0 for the first try), or empty
     * when the answer is final.
     *
     * @param body the parsed body, or null
     */
    public Optional<Duration> afterResponse(int retry, int status, String retryAfter, JsonNode body) {
        if (retry >= maxRetries || !isTransient(status, body)) {
            return Optional.empty();
        }
        Duration wait = waitAfter(retry, retryAfter);
        return wait.compareTo(maxBackoff) > 0 ? Optional.empty() : Optional.of(wait);
    }

    /** The wait before trying again after a transport failure of try number {@code retry}, or empty. */
    public Optional<Duration> afterFailure(int retry, Throwable failure) {
        if (retry >= maxRetries || !isTransient(failure)) {
            return Optional.empty();
        }
        return Optional.of(backoff(retry));
    }

    /** {@code Retry-After} with a little jitter when the answer has one, else the backoff of try {@code retry}. */
    public Duration waitAfter(int retry, String retryAfter) {
        return retryAfter(retryAfter, clock).map(this::withJitter).orElseGet(() -> backoff(retry));
    }

    /** A wait made a little longer at random, so that requests held back together do not all resume together. */
    public Duration withJitter(Duration wait) {
        long bound = Math.min(MAX_RETRY_AFTER_JITTER.toMillis(), (long) (wait.toMillis() * RETRY_AFTER_JITTER_SHARE));
        return bound <= 0 ? wait : wait.plusMillis(random.applyAsLong(bound));
    }

    /** {@code initial × 2^retry}, capped, with "equal jitter": half fixed, half random. */
    public Duration backoff(int retry) {
        long initial = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        long base = Math.min(cap, initial * (1L << Math.min(Math.max(retry, 0), 20)));
        long half = Math.max(1, base / 2);
        return Duration.ofMillis(half + random.applyAsLong(half));
    }

    /** Whether an answer is worth trying again: a transient status that carries no final Epic code. */
    static boolean isTransient(int status, JsonNode body) {
        if (!TRANSIENT_STATUSES.contains(status)) {
            return false;
        }
        ErrorClass meaning = OperationOutcomeClassifier.classify(status, body).map(FetchFailure::errorClass)
                .orElse(ErrorClass.SERVER_ERROR);
        return meaning == ErrorClass.RATE_LIMITED || meaning == ErrorClass.SERVER_ERROR;
    }

    /** Timeouts and connection errors (refused, reset, closed, unknown host); not our own failures. */
    static boolean isTransient(Throwable failure) {
        return !(failure instanceof FetchFailure)
                && (failure instanceof TimeoutException || failure instanceof IOException
                        || failure instanceof VertxException);
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date (RFC 9110); empty when absent or unreadable. */
    static Optional<Duration> retryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
