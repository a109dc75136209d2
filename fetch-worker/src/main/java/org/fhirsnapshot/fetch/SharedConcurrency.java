package org.fhirsnapshot.fetch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.function.Supplier;
import org.fhirsnapshot.contracts.internal.SlotGrant;
import org.fhirsnapshot.contracts.internal.SlotRequest;
import org.fhirsnapshot.fetch.client.ConfigServiceClient;
import org.fhirsnapshot.fetch.client.DependencyRejectedException;
import org.fhirsnapshot.fetch.client.FhirSystemNotFoundException;
import org.jboss.logging.Logger;

/**
 * The maximum of concurrent fetches of a FHIR system ({@code limits.maxConcurrency} above 0), shared by every worker
 * replica: this replica (holder {@link WorkerIdentity}) leases request slots from config-service
 * ({@code POST /internal/fhir-systems/{id}/request-slots}), which never lets the replicas together hold more than the
 * limit and shares it fairly among those that want slots.
 * <p>
 * Per system, fetches wait in line without holding a thread and start while fewer than the granted slots are in use.
 * At most one slot call per system is in flight from this worker. It asks for more (in use + waiting, at most the
 * limit) when fetches wait and every granted slot is in use (after a grant short of what it asked, again after
 * {@link #SHORT_RETRY} at the earliest); renews every third of the lease while it holds or wants slots; tells at once
 * when requests above a shrunken grant have ended (so the others may have them); and releases (wanted 0) after
 * {@link #IDLE_RELEASE} without a fetch. A grant smaller than the slots in use (a fairer share for another replica)
 * starts nothing new until fewer than the grant are in use. Each call reports as in use the fetches in flight or, if
 * more, the current grant: fetches may start under it until the answer arrives.
 * <p>
 * When config-service cannot be reached the holder keeps what it was granted until its lease would have ended
 * (counted from when the call was sent, so never after config-service's own end of the lease), then starts nothing
 * and asks again with backoff ({@link #FIRST_BACKOFF} doubling to {@link #MAX_BACKOFF}); waiting fetches keep
 * waiting. A system config-service no longer knows fails its waiting fetches as {@code configuration}.
 * <p>
 * Metrics (no PHI: the system id only): gauges {@code fhir_snapshot_fetch_request_slots_granted{fhir_system_id}} and
 * {@code fhir_snapshot_fetch_request_slots_in_use{fhir_system_id}}.
 */
@ApplicationScoped
public class SharedConcurrency {

    private static final Logger LOG = Logger.getLogger(SharedConcurrency.class);
    static final Duration IDLE_RELEASE = Duration.ofSeconds(2);
    static final Duration SHORT_RETRY = Duration.ofSeconds(1);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** The lease assumed until config-service has said (its default). */
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
    static final int MAX_WANTED = 1000;
    /** Longest holder id config-service takes. */
    static final int MAX_HOLDER_LENGTH = 200;
    private static final long NEVER = Long.MAX_VALUE;

    /** Where slots come from: config-service in the worker. */
    @FunctionalInterface
    public interface SlotSource {
        Uni<SlotGrant> request(long fhirSystemId, SlotRequest request);
    }

    private final SlotSource source;
    private final String holder;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Map<Long, Slots> systems = new ConcurrentHashMap<>();

    @Inject
    public SharedConcurrency(ConfigServiceClient configService, WorkerIdentity identity, Vertx vertx,
            MeterRegistry registry) {
        this(configService::requestSlots, identity.id(), vertx, registry);
    }

    /**
     * @param holder this replica's id toward config-service (two instances with different ids act as two replicas)
     */
    public SharedConcurrency(SlotSource source, String holder, Vertx vertx, MeterRegistry registry) {
        this.source = source;
        // Host names may be longer than config-service takes: keep the end, where the pod's suffix and the pid are.
        this.holder = holder.length() > MAX_HOLDER_LENGTH
                ? holder.substring(holder.length() - MAX_HOLDER_LENGTH)
                : holder;
        this.vertx = vertx;
        this.registry = registry;
    }

    /**
     * Runs {@code work} once this replica holds a free slot of the system, and frees the slot when the work ends,
     * however it ends. Cancelled while it waits, it leaves the line.
     *
     * @param maxConcurrency the system's limit as read from its settings, at least 1
     */
    public <T> Uni<T> run(long systemId, int maxConcurrency, Supplier<Uni<T>> work) {
        Slots slots = systems.computeIfAbsent(systemId, Slots::new);
        return slots.acquire(maxConcurrency)
                .chain(() -> Uni.createFrom().deferred(() -> work.get()).onTermination().invoke(slots::release));
    }

    /** This replica's slots of one FHIR system. */
    private final class Slots {
        private final long systemId;
        private final Deque<UniEmitter<? super Void>> waiting = new ArrayDeque<>();
        private int max = 1;
        private int inUse;
        /** The last grant, valid until {@link #leaseEnd}; 0 before the first. */
        private int granted;
        private long leaseEnd = System.nanoTime();
        private long leaseNanos = DEFAULT_LEASE.toNanos();
        /** A slot call is in flight. */
        private boolean calling;
        private long timerId = -1;
        private long timerAt;
        private long lastCallAt;
        private boolean lastAnswerShort;
        private long lastActive = System.nanoTime();
        /** What config-service stored at the last answer: in use (may-use) and wanted. */
        private int reportedInUse;
        private int reportedWanted;
        private int failures;
        private long failedAt;

        Slots(long systemId) {
            this.systemId = systemId;
            String id = Long.toString(systemId);
            Gauge.builder("fhir.snapshot.fetch.request.slots.granted", this, Slots::grantedNow)
                    .description("Request slots of an EHR's shared maximum of concurrent requests held by this "
                            + "worker")
                    .tag("fhir_system_id", id).register(registry);
            Gauge.builder("fhir.snapshot.fetch.request.slots.in.use", this, Slots::inUseNow)
                    .description("Fetches of an EHR running under its shared concurrency limit in this worker")
                    .tag("fhir_system_id", id).register(registry);
        }

        synchronized double grantedNow() {
            return effectiveGrant(System.nanoTime());
        }

        synchronized double inUseNow() {
            return inUse;
        }

        Uni<Void> acquire(int maxConcurrency) {
            return Uni.createFrom().emitter(emitter -> {
                boolean now;
                synchronized (this) {
                    max = Math.max(1, maxConcurrency);
                    lastActive = System.nanoTime();
                    now = waiting.isEmpty() && inUse < effectiveGrant(lastActive);
                    if (now) {
                        inUse++;
                    } else {
                        waiting.add(emitter);
                    }
                }
                if (now) {
                    emitter.complete(null);
                } else {
                    emitter.onTermination(() -> {
                        synchronized (this) {
                            waiting.remove(emitter);
                        }
                    });
                    wake();
                }
            });
        }

        void release() {
            synchronized (this) {
                inUse--;
                lastActive = System.nanoTime();
            }
            wake();
        }

        private int effectiveGrant(long now) {
            return now - leaseEnd < 0 ? granted : 0;
        }

        /** Starts the fetches that may start, then calls config-service if a call is due, else sets the timer. */
        private void wake() {
            List<UniEmitter<? super Void>> starting = new ArrayList<>();
            SlotRequest request = null;
            long sentAt = 0;
            synchronized (this) {
                long now = System.nanoTime();
                int grant = effectiveGrant(now);
                while (!waiting.isEmpty() && inUse < grant) {
                    starting.add(waiting.poll());
                    inUse++;
                }
                if (!calling) {
                    long due = nextCallAt(now, grant);
                    if (due - now <= 0) {
                        request = request(now, grant);
                        sentAt = now;
                        calling = true;
                        cancelTimer();
                    } else if (due != NEVER) {
                        schedule(now, due);
                    }
                }
            }
            starting.forEach(emitter -> emitter.complete(null));
            if (request != null) {
                send(request, sentAt);
            }
        }

        /** When the next slot call is due; {@link #NEVER} when this worker neither holds nor wants slots. */
        private long nextCallAt(long now, int grant) {
            boolean busy = inUse > 0 || !waiting.isEmpty();
            boolean held = granted > 0 || reportedInUse > 0 || reportedWanted > 0;
            if (!busy && !held) {
                return NEVER;
            }
            if (failures > 0) {
                long backoff = Math.min(MAX_BACKOFF.toNanos(), FIRST_BACKOFF.toNanos() << Math.min(failures - 1, 16));
                return failedAt + backoff;
            }
            long due = held ? lastCallAt + leaseNanos / 3 : NEVER;
            if (!busy) {
                // Idle: release soon (renewing meanwhile if the lease is that short).
                return Math.min(due, lastActive + IDLE_RELEASE.toNanos());
            }
            boolean wantsMore = !waiting.isEmpty() && grant < Math.min(inUse + waiting.size(), max);
            if (wantsMore) {
                due = Math.min(due, lastAnswerShort ? lastCallAt + SHORT_RETRY.toNanos() : now);
            }
            if (reportedInUse > grant && inUse < reportedInUse) {
                // Fetches above the grant ended: config-service still counts them until told.
                due = now;
            }
            return due;
        }

        private SlotRequest request(long now, int grant) {
            boolean busy = inUse > 0 || !waiting.isEmpty();
            if (!busy) {
                // Release: nothing may start on the old grant while config-service drops it.
                granted = 0;
                return new SlotRequest(holder, 0, 0, max);
            }
            int wanted = Math.min(MAX_WANTED, Math.max(inUse, Math.min(inUse + waiting.size(), max)));
            // Fetches may start under the current grant until the answer: config-service counts them as in use.
            int mayUse = Math.min(MAX_WANTED, Math.max(inUse, grant));
            return new SlotRequest(holder, wanted, mayUse, max);
        }

        private void send(SlotRequest request, long sentAt) {
            Uni.createFrom().deferred(() -> source.request(systemId, request))
                    .subscribe().with(grant -> answered(request, sentAt, grant), this::failed);
        }

        private void answered(SlotRequest request, long sentAt, SlotGrant grant) {
            synchronized (this) {
                calling = false;
                failures = 0;
                granted = Math.max(0, grant.slots());
                leaseNanos = Duration.ofMillis(Math.max(1, grant.leaseMillis())).toNanos();
                leaseEnd = sentAt + leaseNanos;
                lastCallAt = sentAt;
                lastAnswerShort = grant.slots() < request.wanted();
                reportedInUse = request.inUse();
                reportedWanted = request.wanted();
            }
            wake();
        }

        private void failed(Throwable failure) {
            if (failure instanceof FhirSystemNotFoundException || failure instanceof DependencyRejectedException) {
                List<UniEmitter<? super Void>> refused;
                synchronized (this) {
                    calling = false;
                    granted = 0;
                    reportedInUse = 0;
                    reportedWanted = 0;
                    refused = new ArrayList<>(waiting);
                    waiting.clear();
                }
                FetchFailure gone = failure instanceof FhirSystemNotFoundException
                        ? new FetchFailure(ErrorClass.CONFIGURATION,
                                "the project's FHIR system is not configured in config-service")
                        // A contract mismatch with config-service: asking again cannot cure it.
                        : new FetchFailure(ErrorClass.INTERNAL, "config-service refused the request-slot call: "
                                + failure.getMessage());
                refused.forEach(emitter -> emitter.fail(gone));
                return;
            }
            int failed;
            synchronized (this) {
                calling = false;
                failures++;
                failed = failures;
                failedAt = System.nanoTime();
            }
            LOG.warnf("request slots of FHIR system %d: config-service could not be reached (%s, %d time(s) in a "
                    + "row); keeping the slots held until their lease ends, asking again with backoff", systemId,
                    failure.getMessage(), failed);
            wake();
        }

        /** Sets the timer for {@code at} unless one is set for earlier. Called holding the lock. */
        private void schedule(long now, long at) {
            if (timerId >= 0 && timerAt - at <= 0) {
                return;
            }
            cancelTimer();
            timerAt = at;
            long millis = Math.max(1, Duration.ofNanos(at - now).toMillis());
            timerId = vertx.setTimer(millis, id -> {
                synchronized (this) {
                    if (timerId == id) {
                        timerId = -1;
                    }
                }
                wake();
            });
        }

        private void cancelTimer() {
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
                timerId = -1;
            }
        }
    }
}
