package org.fhirsnapshot.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The live counters behind {@link SandboxStats}; thread-safe. */
final class RequestCounters {

    private static final long ONE_SECOND_NANOS = 1_000_000_000L;

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong searches = new AtomicLong();
    private final AtomicLong pages = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong transientErrors = new AtomicLong();
    private final AtomicLong tokensIssued = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    /** {@link System#nanoTime()}, or a hand-moved clock in tests. */
    private final LongSupplier nanoTime;
    /** Arrival times of the requests of the last second, oldest first; guarded by {@code this}. */
    private final Deque<Long> lastSecond = new ArrayDeque<>();
    /** The most requests seen within one second since the peak was last reset; guarded by {@code this}. */
    private long peakPerSecond;

    RequestCounters() {
        this(System::nanoTime);
    }

    RequestCounters(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * One HTTP request to {@code /fhir}; also enters the sliding one-second window of {@link #peakPerSecond}: the
     * requests that arrived less than a second before this one, this one included.
     */
    void countRequest() {
        requests.incrementAndGet();
        long now = nanoTime.getAsLong();
        synchronized (this) {
            while (!lastSecond.isEmpty() && now - lastSecond.peekFirst() >= ONE_SECOND_NANOS) {
                lastSecond.removeFirst();
            }
            lastSecond.addLast(now);
            peakPerSecond = Math.max(peakPerSecond, lastSecond.size());
        }
    }

    /** Forgets the peak and the window behind it: the next request starts both afresh. */
    synchronized void resetPeak() {
        lastSecond.clear();
        peakPerSecond = 0;
    }

    void countSearch() {
        searches.incrementAndGet();
    }

    void countPage() {
        pages.incrementAndGet();
    }

    void countThrottled() {
        throttled.incrementAndGet();
    }

    void countTransientError() {
        transientErrors.incrementAndGet();
    }

    void countTokenIssued() {
        tokensIssued.incrementAndGet();
    }

    void countUnauthorized() {
        unauthorized.incrementAndGet();
    }

    SandboxStats snapshot() {
        long peak;
        synchronized (this) {
            peak = peakPerSecond;
        }
        return new SandboxStats(requests.get(), searches.get(), pages.get(), throttled.get(), transientErrors.get(),
                tokensIssued.get(), unauthorized.get(), peak);
    }
}
