package org.fhirsnapshot.fetch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.contracts.internal.RequestPermits;
import org.fhirsnapshot.contracts.internal.SlowDown;
import org.fhirsnapshot.fetch.client.ConfigServiceClient;
import org.fhirsnapshot.fetch.client.FhirSystemNotFoundException;
import org.jboss.logging.Logger;

/**
 * The requests-per-second limit of a FHIR system, shared by every worker replica ({@code limits.requestsPerSecond}
 * above 0): each request to the EHR takes one permit, and the permits come from config-service's token bucket
 * ({@code POST /internal/fhir-systems/{id}/request-permits}), so that all replicas together stay under the limit.
 * <p>
 * Per system, requests wait in line without holding a thread. At most one permit request per system is in flight
 * from this worker; it asks for as many permits as requests wait, at most a fifth of a second's worth (at least 1,
 * at most 1000). Granted permits go to the first waiting requests at once (a permit is for now: one left over
 * because its request gave up is dropped). When nothing is granted the line asks again after the answer's
 * {@code retryAfterMillis} (a Vert.x timer). While config-service cannot be reached the line asks again with
 * backoff (100 ms doubling to 5 s); the waiting requests then end only with their fetch's total timeout
 * ({@link FetchDeadline}), as {@code rate_limited} with words that say why. A system config-service no longer
 * knows fails its waiting requests as {@code configuration}.
 * <p>
 * Metrics (no PHI: the system id only): {@code fhir_snapshot_fetch_request_permits_total{fhir_system_id}} counts
 * the requests that waited for a permit and got it, {@code fhir_snapshot_fetch_request_permit_wait_seconds
 * {fhir_system_id}} how long they waited.
 */
@ApplicationScoped
public class SharedRateLimit {

    private static final Logger LOG = Logger.getLogger(SharedRateLimit.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    static final int MAX_WANTED = 1000;

    /** Where permits come from: config-service in the worker. */
    @FunctionalInterface
    public interface PermitSource {
        Uni<PermitGrant> request(long fhirSystemId, RequestPermits request);
    }

    /** Where a pause the EHR asked for is shared with every replica: config-service in the worker. */
    @FunctionalInterface
    public interface PauseSink {
        Uni<Void> report(long fhirSystemId, SlowDown pause);
    }

    /** The longest pause shared (config-service's limit). */
    static final long MAX_PAUSE_MILLIS = 3_600_000;

    private final PermitSource source;
    private final PauseSink pauses;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Map<Long, Line> lines = new ConcurrentHashMap<>();

    @Inject
    public SharedRateLimit(ConfigServiceClient configService, Vertx vertx, MeterRegistry registry) {
        this(configService::requestPermits, configService::slowDown, vertx, registry);
    }

    public SharedRateLimit(PermitSource source, PauseSink pauses, Vertx vertx, MeterRegistry registry) {
        this.source = source;
        this.pauses = pauses;
        this.vertx = vertx;
        this.registry = registry;
    }

    /**
     * The system asked for a pause (a 429): tells config-service, so that every replica's permits wait for it, not
     * only this worker's requests (which {@link SystemCoolDown} holds back). Only systems with a rate limit take
     * permits; for the others this does nothing. Fire and forget: a failure is logged, the local cool-down still
     * holds.
     */
    public void slowDown(FhirSystemSettings system, Duration wait) {
        int rate = system.limits() == null ? 0 : system.limits().requestsPerSecond();
        if (rate <= 0 || wait.isZero() || wait.isNegative()) {
            return;
        }
        long millis = Math.min(Math.max(1, wait.toMillis()), MAX_PAUSE_MILLIS);
        pauses.report(system.id(), new SlowDown(millis)).subscribe().with(ignored -> {
        }, failure -> LOG.debugf("the pause of FHIR system %d could not be shared: %s", system.id(),
                failure.getClass().getSimpleName()));
    }

    /**
     * Completes when the request may be sent: at once when the system has no rate limit, else once a permit is
     * granted. Cancelling it leaves the line.
     */
    public Uni<Void> acquire(FhirSystemSettings system, FetchDeadline deadline) {
        int rate = system.limits() == null ? 0 : system.limits().requestsPerSecond();
        if (rate <= 0) {
            return Uni.createFrom().voidItem();
        }
        Line line = lines.computeIfAbsent(system.id(), Line::new);
        return Uni.createFrom().emitter(emitter -> {
            Waiter waiter = new Waiter(emitter, System.nanoTime());
            deadline.waiting(() -> line.expired(rate, deadline));
            emitter.onTermination(() -> {
                deadline.notWaiting();
                synchronized (line) {
                    line.waiting.remove(waiter);
                }
            });
            synchronized (line) {
                line.rate = rate;
                line.waiting.add(waiter);
            }
            ask(line);
        });
    }

    /** Asks config-service for permits unless a request is in flight, a pause runs, or nobody waits. */
    private void ask(Line line) {
        RequestPermits request;
        synchronized (line) {
            if (line.asking || line.waiting.isEmpty()) {
                return;
            }
            line.asking = true;
            int wanted = Math.min(line.waiting.size(), Math.max(1, line.rate / 5));
            request = new RequestPermits(Math.min(wanted, MAX_WANTED), line.rate);
        }
        Uni.createFrom().deferred(() -> source.request(line.systemId, request))
                .subscribe().with(grant -> granted(line, grant), failure -> notGranted(line, failure));
    }

    private void granted(Line line, PermitGrant grant) {
        List<Waiter> served = new ArrayList<>();
        synchronized (line) {
            line.failures = 0;
            line.unreachable = false;
            for (int i = 0; i < grant.granted() && !line.waiting.isEmpty(); i++) {
                served.add(line.waiting.poll());
            }
        }
        long now = System.nanoTime();
        for (Waiter waiter : served) {
            line.permits.increment();
            line.waits.record(Duration.ofNanos(now - waiter.since));
            waiter.emitter.complete(null);
        }
        if (grant.granted() > 0) {
            askAgain(line, 0);
        } else {
            askAgain(line, Math.max(1, grant.retryAfterMillis()));
        }
    }

    private void notGranted(Line line, Throwable failure) {
        if (failure instanceof FhirSystemNotFoundException) {
            List<Waiter> refused;
            synchronized (line) {
                refused = new ArrayList<>(line.waiting);
                line.waiting.clear();
                line.asking = false;
            }
            FetchFailure gone = new FetchFailure(ErrorClass.CONFIGURATION,
                    "the project's FHIR system is not configured in config-service");
            refused.forEach(waiter -> waiter.emitter.fail(gone));
            return;
        }
        long wait;
        synchronized (line) {
            line.unreachable = true;
            wait = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(line.failures, 16));
            line.failures++;
        }
        LOG.warnf("no request permits for FHIR system %d from config-service (%s); asking again in %d ms",
                line.systemId, failure.getMessage(), wait);
        askAgain(line, wait);
    }

    /** Ends the permit request in flight, then asks again after {@code millis} (a Vert.x timer) or now. */
    private void askAgain(Line line, long millis) {
        if (millis <= 0) {
            synchronized (line) {
                line.asking = false;
            }
            ask(line);
            return;
        }
        vertx.setTimer(millis, id -> {
            synchronized (line) {
                line.asking = false;
            }
            ask(line);
        });
    }

    private record Waiter(UniEmitter<? super Void> emitter, long since) {
    }

    /** The requests of this worker waiting for permits of one FHIR system. */
    private final class Line {
        private final long systemId;
        private final Deque<Waiter> waiting = new ArrayDeque<>();
        private final Counter permits;
        private final Timer waits;
        private int rate;
        /** A permit request is in flight, or its pause before the next one runs. */
        private boolean asking;
        private int failures;
        private volatile boolean unreachable;

        Line(long systemId) {
            this.systemId = systemId;
            String id = Long.toString(systemId);
            permits = Counter.builder("fhir.snapshot.fetch.request.permits")
                    .description("Requests to an EHR that waited for a permit of its shared rate limit")
                    .tag("fhir_system_id", id).register(registry);
            waits = Timer.builder("fhir.snapshot.fetch.request.permit.wait")
                    .description("Time a request to an EHR waited for a permit of its shared rate limit")
                    .tag("fhir_system_id", id).register(registry);
        }

        FetchFailure expired(int rate, FetchDeadline deadline) {
            String total = FetchDeadline.seconds(deadline.total());
            if (unreachable) {
                return new FetchFailure(ErrorClass.RATE_LIMITED, "no request permit for the FHIR system's rate "
                        + "limit could be obtained within the fetch's total timeout of " + total
                        + ": config-service, which hands the permits out, could not be reached");
            }
            return new FetchFailure(ErrorClass.RATE_LIMITED, "the FHIR system's limit of " + rate + " requests "
                    + "per second (shared by every worker) left no request permit for this fetch within its total "
                    + "timeout of " + total);
        }
    }
}
