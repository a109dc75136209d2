package org.fhirsnapshot.sync;

import java.time.Duration;

/**
 * How long a task waits after a failed attempt: {@code initial × 2^(attempt-1)}, capped at {@code max}.
 *
 * @param initial the wait after the first failed attempt
 * @param max the longest wait
 */
public record RetryBackoff(Duration initial, Duration max) {

    /** The wait after failed attempt number {@code attempt} (1 for the first). */
    public Duration after(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        long millis = initial.toMillis();
        for (int i = 0; i < doublings && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
