package org.fhirsnapshot.sandbox;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The sandbox's faults as they are now ({@link SandboxFaults}) and the state they need: the seeded Random of
 * transient errors, the token bucket of the rate limit, the throttle window, the searches armed for Epic 4113.
 * Thread-safe. Setting new faults (or {@link #reset()}) starts that state afresh: a full bucket, a new Random from the
 * seed, a throttle window not started yet, 4113 armed again.
 */
public final class FaultInjector {

    private static final int[] TRANSIENT_STATUSES = {503, 500, 429};

    private final RequestCounters counters;
    /** {@link System#nanoTime()}, or a hand-moved clock in tests. */
    private final LongSupplier nanoTime;
    private SandboxFaults faults = SandboxFaults.none();
    private Random random = new Random(0);
    private double tokens;
    private long refilledAt;
    /** When the first request of the throttle window came ({@link #nanoTime}), or null before it. */
    private Long windowStartedAt;
    /** Patients whose 4113 already fired since the faults were set. */
    private final Set<String> expired = new HashSet<>();
    /** {@code _getpages} ids of searches whose first follow-up page answers 4113, by patient id. */
    private final Map<String, String> armedSearches = new HashMap<>();

    FaultInjector(RequestCounters counters) {
        this(counters, System::nanoTime);
    }

    FaultInjector(RequestCounters counters, LongSupplier nanoTime) {
        this.counters = counters;
        this.nanoTime = nanoTime;
    }

    /**
     * Replaces the faults; the sandbox misbehaves this way from the next request on. Also restarts
     * {@link SandboxStats#peakRequestsPerSecond()}, so that it measures the run under these faults.
     */
    public synchronized void set(SandboxFaults newFaults) {
        faults = newFaults == null ? SandboxFaults.none() : newFaults;
        random = new Random(faults.seed());
        tokens = bucketCapacity();
        refilledAt = nanoTime.getAsLong();
        windowStartedAt = null;
        expired.clear();
        armedSearches.clear();
        counters.resetPeak();
    }

    /** Back to no faults. */
    public void reset() {
        set(SandboxFaults.none());
    }

    public synchronized SandboxFaults current() {
        return faults;
    }

    synchronized long latencyMillis() {
        return faults.latencyMillis();
    }

    /**
     * The throttle window: the first request after the faults were set starts it. Answers the window's
     * {@code Retry-After} seconds (and counts the request as throttled) while it lasts, else 0: the request may pass.
     */
    synchronized long throttleWindow() {
        SandboxFaults.ThrottleWindow window = faults.throttleWindow();
        if (window == null) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        if (windowStartedAt == null) {
            windowStartedAt = now;
        }
        if (now - windowStartedAt >= window.windowMillis() * 1_000_000L) {
            return 0;
        }
        counters.countThrottled();
        return window.retryAfterSeconds();
    }

    /**
     * Takes one request's token from the bucket. Answers 0 when the request may pass, else the seconds the client
     * should wait ({@code Retry-After}), and counts it as throttled.
     */
    synchronized long throttle() {
        double rate = faults.rateLimitPerSecond();
        if (rate <= 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        tokens = Math.min(bucketCapacity(), tokens + (now - refilledAt) / 1e9 * rate);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        counters.countThrottled();
        return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }

    /** A transient status (503, 500 or 429) for this request, counted, or 0 when it is served normally. */
    synchronized int transientError() {
        if (faults.transientErrorRate() <= 0 || random.nextDouble() >= faults.transientErrorRate()) {
            return 0;
        }
        counters.countTransientError();
        return TRANSIENT_STATUSES[random.nextInt(TRANSIENT_STATUSES.length)];
    }

    /** The Epic code given to the patient, or null. */
    synchronized String epicCodeOf(String patientId) {
        return patientId == null ? null : faults.epicCode().get(patientId);
    }

    /** Arms 4113 for the search whose follow-up pages carry {@code _getpages=searchId}, unless it fired already. */
    synchronized void armPagingExpiry(String patientId, String searchId) {
        if ("4113".equals(epicCodeOf(patientId)) && !expired.contains(patientId)
                && !armedSearches.containsKey(patientId)) {
            armedSearches.put(patientId, searchId);
        }
    }

    /** Whether this follow-up page request must answer 4113 (once per patient); disarms it. */
    synchronized boolean pagingExpired(String searchId) {
        if (searchId == null) {
            return false;
        }
        for (Map.Entry<String, String> armed : armedSearches.entrySet()) {
            if (armed.getValue().equals(searchId)) {
                expired.add(armed.getKey());
                armedSearches.remove(armed.getKey());
                return true;
            }
        }
        return false;
    }

    private double bucketCapacity() {
        return Math.max(1, faults.rateLimitPerSecond());
    }
}
