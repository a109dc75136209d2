package org.fhirsnapshot.fetch;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.client.ConfigServiceClient;
import org.fhirsnapshot.fetch.client.DependencyRejectedException;
import org.fhirsnapshot.fetch.client.FhirSystemNotFoundException;
import org.fhirsnapshot.fetch.client.MrnServiceClient;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.jboss.logging.Logger;

/**
 * Fetches a batch of pending instances: claims them from mrn-service in one call (instances it leaves out are no
 * longer pending and are skipped), reads each FHIR system's settings from config-service, fetches the claimed
 * instances concurrently within {@link FetchLimits}, and hands every result to {@code publish} as soon as it is
 * known. The returned Uni completes when every result is published; only then may the batch be acknowledged.
 * <p>
 * While mrn-service, config-service or Kafka are unavailable, the step waits and tries again (exponential backoff
 * up to {@link #MAX_WAIT}) instead of dropping the batch: nothing is acknowledged meanwhile, so a crash loses
 * nothing, and claims whose lease runs out are put back to pending by mrn-service.
 * <p>
 * Every claim is held in {@link HeldClaims} until its result is published, so that a worker told to stop
 * ({@link GracefulShutdown}) gives back what it will not finish instead of leaving it to the lease.
 */
@ApplicationScoped
public class BatchFetcher {

    private static final Logger LOG = Logger.getLogger(BatchFetcher.class);
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final MrnServiceClient mrnService;
    private final ConfigServiceClient configService;
    private final InstanceFetcher fetcher;
    private final FetchLimits limits;
    private final WorkerIdentity worker;
    private final FetchConfig config;
    private final HeldClaims held;

    public BatchFetcher(MrnServiceClient mrnService, ConfigServiceClient configService, InstanceFetcher fetcher,
            FetchLimits limits, WorkerIdentity worker, FetchConfig config, HeldClaims held) {
        this.mrnService = mrnService;
        this.configService = configService;
        this.fetcher = fetcher;
        this.limits = limits;
        this.worker = worker;
        this.config = config;
        this.held = held;
    }

    /**
     * What became of a batch: how many of its instances were fetched and published, and whether the batch is done
     * (false when the worker is stopping and gave back or never took some of it: the batch must not be
     * acknowledged, its messages are delivered again, and claims given back are published again by mrn-service).
     */
    public record Outcome(int fetched, boolean complete) {
    }

    /** Fetches the instances of the batch that are still pending. */
    public Uni<Outcome> fetch(List<Long> instanceIds, Function<FetchResult, Uni<Void>> publish) {
        List<Long> distinct = List.copyOf(new LinkedHashSet<>(instanceIds));
        if (distinct.isEmpty()) {
            return Uni.createFrom().item(new Outcome(0, true));
        }
        if (!held.claimCallStarts()) {
            // Stopping (SIGTERM): no new claim; the messages stay unacknowledged and are delivered again.
            return Uni.createFrom().item(new Outcome(0, false));
        }
        return untilAvailable(() -> mrnService.claim(distinct, worker.id(), config.leaseSeconds()),
                "claim instances from mrn-service")
                .onFailure().invoke(held::claimCallFailed)
                .chain(claimed -> {
                    LOG.debugf("claimed %d of %d instances", claimed.size(), distinct.size());
                    if (!held.claimCallEnded(claimed)) {
                        // The worker began to stop while the claim was under way: give them back at once.
                        return giveBack(claimed).replaceWith(new Outcome(0, false));
                    }
                    if (claimed.isEmpty()) {
                        return Uni.createFrom().item(new Outcome(0, true));
                    }
                    return settingsOf(claimed).chain(settings -> fetchAll(claimed, settings, publish))
                            .onFailure().invoke(() -> held.forget(claimed));
                });
    }

    /** Gives claims back to mrn-service; a failure is logged (their lease returns them later). */
    private Uni<Void> giveBack(List<ClaimedInstance> claims) {
        if (claims.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return mrnService.release(claims, worker.id())
                .invoke(released -> LOG.infof("stopping: released %d claims received after the stop began",
                        released))
                .onFailure().invoke(failure -> LOG.warnf("stopping: could not release %d claims (%s); their lease "
                        + "returns them to pending", claims.size(), failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** The settings of every FHIR system of the claimed instances; empty for a system config-service lost. */
    private Uni<Map<Long, Optional<FhirSystemSettings>>> settingsOf(List<ClaimedInstance> claimed) {
        List<Long> systemIds = claimed.stream().map(ClaimedInstance::fhirSystemId).distinct().toList();
        Map<Long, Optional<FhirSystemSettings>> settings = new ConcurrentHashMap<>();
        List<Uni<Void>> lookups = new ArrayList<>();
        for (Long id : systemIds) {
            lookups.add(untilAvailable(() -> configService.fhirSystem(id)
                    .map(Optional::of)
                    .onFailure(failure -> failure instanceof FhirSystemNotFoundException
                            || failure instanceof DependencyRejectedException)
                    .recoverWithItem(Optional.empty()), "read FHIR system settings from config-service")
                    .invoke(found -> settings.put(id, found)).replaceWithVoid());
        }
        return Uni.join().all(lookups).andFailFast().replaceWith(settings);
    }

    private Uni<Outcome> fetchAll(List<ClaimedInstance> claimed, Map<Long, Optional<FhirSystemSettings>> settings,
            Function<FetchResult, Uni<Void>> publish) {
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndMerge(claim -> resultOf(claim, settings.get(claim.fhirSystemId()))
                        .chain(result -> result.isEmpty()
                                ? Uni.createFrom().item(false)
                                : untilAvailable(() -> publish.apply(result.get()), "publish a fetch result")
                                        .invoke(() -> held.finished(claim.instanceId())).replaceWith(true)))
                .collect().asList()
                .map(published -> new Outcome((int) published.stream().filter(done -> done).count(),
                        !published.contains(false)));
    }

    /** The claim's result, or empty when the worker is stopping and took the claim away before its fetch began. */
    private Uni<Optional<FetchResult>> resultOf(ClaimedInstance claim, Optional<FhirSystemSettings> system) {
        if (system == null || system.isEmpty()) {
            return Uni.createFrom().item(() -> held.start(claim.instanceId())
                    ? Optional.of(fetcher.failed(claim, new FetchFailure(ErrorClass.CONFIGURATION,
                            "the project's FHIR system is not configured in config-service")))
                    : Optional.empty());
        }
        return limits.run(system.get(), () -> held.start(claim.instanceId())
                ? fetcher.fetch(claim, system.get()).map(Optional::of)
                : Uni.createFrom().item(Optional.<FetchResult>empty()))
                // The system's shared request slots refused (config-service no longer knows the system).
                .onFailure(FetchFailure.class)
                .recoverWithItem(failure -> held.start(claim.instanceId())
                        ? Optional.of(fetcher.failed(claim, (FetchFailure) failure))
                        : Optional.empty());
    }

    /**
     * Runs {@code step} until it succeeds, waiting longer after each failure; a {@link DependencyRejectedException}
     * (a contract mismatch that trying again cannot cure) ends it.
     */
    private static <T> Uni<T> untilAvailable(Supplier<Uni<T>> step, String what) {
        return Uni.createFrom().deferred(() -> step.get())
                .onFailure(failure -> !(failure instanceof DependencyRejectedException))
                .invoke(failure -> LOG.warnf("could not %s (%s); trying again", what, failure.getMessage()))
                .onFailure(failure -> !(failure instanceof DependencyRejectedException))
                .retry().withBackOff(FIRST_WAIT, MAX_WAIT).indefinitely();
    }
}
