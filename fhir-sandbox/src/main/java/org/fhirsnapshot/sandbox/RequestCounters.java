package org.fhirsnapshot.sandbox;

import java.util.concurrent.atomic.AtomicLong;

/** The live counters behind {@link SandboxStats}; thread-safe. */
final class RequestCounters {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong searches = new AtomicLong();
    private final AtomicLong pages = new AtomicLong();

    void countRequest() {
        requests.incrementAndGet();
    }

    void countSearch() {
        searches.incrementAndGet();
    }

    void countPage() {
        pages.incrementAndGet();
    }

    SandboxStats snapshot() {
        return new SandboxStats(requests.get(), searches.get(), pages.get());
    }
}
