package org.fhirsnapshot.fetch;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The total timeout of one instance's fetch, and what the fetch is doing when it passes: {@link InstanceFetcher}
 * ends the fetch then with {@link #expired()}, a {@code timeout} in plain words, or what {@link SharedRateLimit}
 * says when the fetch was waiting in line for a request permit. Thread-safe.
 */
public final class FetchDeadline {

    private final Duration total;
    private volatile Supplier<FetchFailure> waiting;

    public FetchDeadline(Duration total) {
        this.total = total;
    }

    public Duration total() {
        return total;
    }

    /** The fetch waits for something that explains its expiry better than a plain timeout. */
    void waiting(Supplier<FetchFailure> failure) {
        waiting = failure;
    }

    void notWaiting() {
        waiting = null;
    }

    /** How the fetch fails when its total timeout passes now. */
    public FetchFailure expired() {
        Supplier<FetchFailure> current = waiting;
        if (current != null) {
            return current.get();
        }
        return new FetchFailure(ErrorClass.TIMEOUT, "the fetch took longer than its total timeout of "
                + seconds(total) + " (patient lookup, every page and the retries); it was stopped");
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
