package org.fhirsnapshot.sandbox;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How the sandbox misbehaves, set with {@code POST /sandbox/faults} (this record as JSON) or
 * {@link FhirSandbox#faults()}; {@link #none()} (the default) serves every request normally.
 *
 * @param transientErrorRate share of {@code /fhir} requests (0..1) answered 503, 500 or 429 with
 *        {@code Retry-After: 1}, chosen by a Random seeded with {@code seed}
 * @param latencyMillis added to every {@code /fhir} request before it is served
 * @param rateLimitPerSecond requests per second the sandbox accepts (a token bucket holding one second of
 *        requests); more are answered 429 with {@code Retry-After}; 0 means no limit
 * @param epicCode per Patient id, the Epic OperationOutcome code its searches meet: {@code 4119} or {@code 4122}
 *        (a warning outcome entry in its searchsets), {@code 4118} (403), {@code 4113} (the first follow-up page
 *        request of its next search answers 400, once), {@code 4135} (429, daily limit)
 * @param seed the seed of the Random that picks transient errors
 * @param throttleWindow a 429 window started by the first {@code /fhir} request after the faults are set, or null
 */
public record SandboxFaults(double transientErrorRate, long latencyMillis, double rateLimitPerSecond,
        Map<String, String> epicCode, long seed, ThrottleWindow throttleWindow) {

    /**
     * A window of 429 answers that does not depend on how fast requests come: the first {@code /fhir} request after
     * the faults are set starts it; every request while it lasts (that first one included) answers 429 with
     * {@code Retry-After: retryAfterSeconds}; every request after it passes.
     *
     * @param retryAfterSeconds the {@code Retry-After} of its 429 answers, 1..3600
     * @param windowMillis how long the window lasts from its first request, 1..600000
     */
    public record ThrottleWindow(long retryAfterSeconds, long windowMillis) {

        public ThrottleWindow {
            if (retryAfterSeconds < 1 || retryAfterSeconds > 3_600) {
                throw new IllegalArgumentException("throttleWindow.retryAfterSeconds must be between 1 and 3600");
            }
            if (windowMillis < 1 || windowMillis > 600_000) {
                throw new IllegalArgumentException("throttleWindow.windowMillis must be between 1 and 600000");
            }
        }
    }

    /** The Epic codes a patient can be given. */
    public static final Set<String> EPIC_CODES = Set.of("4113", "4118", "4119", "4122", "4135");

    public SandboxFaults {
        if (!(transientErrorRate >= 0 && transientErrorRate <= 1)) {
            throw new IllegalArgumentException("transientErrorRate must be between 0 and 1");
        }
        if (latencyMillis < 0 || latencyMillis > 600_000) {
            throw new IllegalArgumentException("latencyMillis must be between 0 and 600000");
        }
        if (!(rateLimitPerSecond >= 0) || Double.isInfinite(rateLimitPerSecond)) {
            throw new IllegalArgumentException("rateLimitPerSecond must be 0 (no limit) or more");
        }
        epicCode = epicCode == null ? Map.of() : Map.copyOf(epicCode);
        epicCode.forEach((patientId, code) -> {
            if (!EPIC_CODES.contains(code)) {
                throw new IllegalArgumentException("epicCode of patient " + patientId + " must be one of "
                        + "4113, 4118, 4119, 4122, 4135");
            }
        });
    }

    /** No faults: what a started sandbox does. */
    public static SandboxFaults none() {
        return new SandboxFaults(0, 0, 0, Map.of(), 0, null);
    }

    public SandboxFaults withTransientErrorRate(double rate) {
        return new SandboxFaults(rate, latencyMillis, rateLimitPerSecond, epicCode, seed, throttleWindow);
    }

    public SandboxFaults withLatencyMillis(long millis) {
        return new SandboxFaults(transientErrorRate, millis, rateLimitPerSecond, epicCode, seed, throttleWindow);
    }

    public SandboxFaults withRateLimitPerSecond(double perSecond) {
        return new SandboxFaults(transientErrorRate, latencyMillis, perSecond, epicCode, seed, throttleWindow);
    }

    /** These faults plus Epic {@code code} for every search of {@code patientId}. */
    public SandboxFaults withEpicCode(String patientId, String code) {
        Map<String, String> codes = new HashMap<>(epicCode);
        codes.put(patientId, code);
        return new SandboxFaults(transientErrorRate, latencyMillis, rateLimitPerSecond, codes, seed, throttleWindow);
    }

    public SandboxFaults withSeed(long newSeed) {
        return new SandboxFaults(transientErrorRate, latencyMillis, rateLimitPerSecond, epicCode, newSeed,
                throttleWindow);
    }

    /**
     * These faults plus a throttle window: the first {@code /fhir} request from now starts a window of
     * {@code windowMillis} in which every request answers 429 with {@code Retry-After: retryAfterSeconds}.
     */
    public SandboxFaults withThrottleWindow(long retryAfterSeconds, long windowMillis) {
        return new SandboxFaults(transientErrorRate, latencyMillis, rateLimitPerSecond, epicCode, seed,
                new ThrottleWindow(retryAfterSeconds, windowMillis));
    }
}
