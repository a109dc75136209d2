package org.fhirsnapshot.fetch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-FHIR-system gate of this worker: after a system answers 429, no request of any fetch of this worker goes
 * to that system until its {@code Retry-After} (or the backoff) has passed. {@link FhirHttpClient} asks
 * {@link #remaining(long)} before every request. Per worker replica: replicas do not share it.
 */
@ApplicationScoped
public class SystemCoolDown {

    private final Clock clock;
    private final Map<Long, Instant> closedUntil = new ConcurrentHashMap<>();

    @Inject
    public SystemCoolDown() {
        this(Clock.systemUTC());
    }

    SystemCoolDown(Clock clock) {
        this.clock = clock;
    }

    /** Holds every request to the system back for {@code wait} from now (a longer hold already set stays). */
    public void slowDown(long systemId, Duration wait) {
        Instant until = clock.instant().plus(wait);
        closedUntil.merge(systemId, until, (current, proposed) -> proposed.isAfter(current) ? proposed : current);
    }

    /** How long requests to the system must still wait; zero when they may go. */
    public Duration remaining(long systemId) {
        Instant until = closedUntil.get(systemId);
        if (until == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), until);
        if (left.isNegative() || left.isZero()) {
            closedUntil.remove(systemId, until);
            return Duration.ZERO;
        }
        return left;
    }
}
