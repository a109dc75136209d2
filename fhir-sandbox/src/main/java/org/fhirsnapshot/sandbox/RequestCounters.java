package org.fhirsnapshot.sandbox;

import java.util.concurrent.atomic.AtomicLong;

/** The live counters behind {@link SandboxStats}; thread-safe. */
final class RequestCounters {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong searches = new AtomicLong();
    private final AtomicLong pages = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong transientErrors = new AtomicLong();
    private final AtomicLong tokensIssued = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();

    void countRequest() {
        requests.incrementAndGet();
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
        return new SandboxStats(requests.get(), searches.get(), pages.get(), throttled.get(), transientErrors.get(),
                tokensIssued.get(), unauthorized.get());
    }
}
