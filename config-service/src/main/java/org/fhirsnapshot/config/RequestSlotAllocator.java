package org.fhirsnapshot.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.fhirsnapshot.config.config.RequestSlotsConfig;
import org.fhirsnapshot.config.persistence.RequestSlotLeaseRepository;
import org.fhirsnapshot.contracts.internal.SlotGrant;

/**
 * The maximum of concurrent requests toward each FHIR system, shared by every fetch-worker replica: each replica
 * (holder) leases a number of request slots; together the leases never exceed the limit (see {@link SlotShares}).
 * Leases live in PostgreSQL ({@code request_slot_lease}), so every config-service replica shares them too; a lease not
 * renewed within {@code fhir-snapshot.request-slots.lease} frees its slots.
 */
@ApplicationScoped
public class RequestSlotAllocator {

    /** Most slots one holder may want, and most requests it may report in flight. */
    public static final int MAX_WANTED = 1000;
    /** Longest holder id. */
    public static final int MAX_HOLDER_LENGTH = 200;

    private final RequestSlotLeaseRepository leases;
    private final Duration lease;
    private final Counter calls;
    private final Counter shortGrants;
    private final Counter expiredLeases;

    public RequestSlotAllocator(RequestSlotLeaseRepository leases, RequestSlotsConfig config, MeterRegistry metrics) {
        this.leases = leases;
        this.lease = config.lease();
        this.calls = Counter.builder("fhir.snapshot.request.slot.calls")
                .description("Request-slot asks, renewals and releases by fetch-workers, all FHIR systems together")
                .register(metrics);
        this.shortGrants = Counter.builder("fhir.snapshot.request.slot.short.grants")
                .description("Request-slot calls granted fewer slots than wanted (the limit or fair sharing held the "
                        + "worker back)")
                .register(metrics);
        this.expiredLeases = Counter.builder("fhir.snapshot.request.slot.leases.expired")
                .description("Request-slot leases dropped because their holder stopped renewing (crashed or cut off)")
                .register(metrics);
    }

    /**
     * Renews (or takes, or releases) the holder's slots toward the system.
     *
     * @param systemId the FHIR system
     * @param holder the worker replica, 1..{@link #MAX_HOLDER_LENGTH} characters
     * @param wanted 0..{@link #MAX_WANTED}; 0 = release
     * @param inUse 0..{@link #MAX_WANTED}, the holder's requests in flight
     * @param maxConcurrency the limit as the worker read it, at least 1; the lower of it and the stored one applies
     *        (a lowered limit takes effect even for workers with stale settings)
     * @return the holder's grant and the lease length; fails with a 404 problem for an unknown system
     */
    public Uni<SlotGrant> renew(long systemId, String holder, int wanted, int inUse, int maxConcurrency) {
        return leases.renew(systemId, holder, wanted, inUse, lease,
                (storedMax, previous, others) -> SlotShares.grant(holder, wanted, inUse,
                        previous == null ? null : previous.servedAt(), Math.min(storedMax, maxConcurrency), others))
                .onItem().ifNull().failWith(() -> FhirSystemService.notFound(systemId))
                .map(outcome -> {
                    calls.increment();
                    if (outcome.granted() < wanted) {
                        shortGrants.increment();
                    }
                    if (outcome.expired() > 0) {
                        expiredLeases.increment(outcome.expired());
                    }
                    return new SlotGrant(outcome.granted(), lease.toMillis());
                });
    }
}
