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
import java.util.stream.Collectors;
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

    public BatchFetcher(MrnServiceClient mrnService, ConfigServiceClient configService, InstanceFetcher fetcher,
            FetchLimits limits, WorkerIdentity worker, FetchConfig config) {
        this.mrnService = mrnService;
        this.configService = configService;
        this.fetcher = fetcher;
        this.limits = limits;
        this.worker = worker;
        this.config = config;
    }

    /** Fetches the instances of the batch that are still pending; completes with the number fetched. */
    public Uni<Integer> fetch(List<Long> instanceIds, Function<FetchResult, Uni<Void>> publish) {
        List<Long> distinct = List.copyOf(new LinkedHashSet<>(instanceIds));
        if (distinct.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return untilAvailable(() -> mrnService.claim(distinct, worker.id(), config.leaseSeconds()),
                "claim instances from mrn-service")
                .chain(claimed -> {
                    LOG.debugf("claimed %d of %d instances", claimed.size(), distinct.size());
                    if (claimed.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return settingsOf(claimed).chain(settings -> fetchAll(claimed, settings, publish));
                });
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

    private Uni<Integer> fetchAll(List<ClaimedInstance> claimed, Map<Long, Optional<FhirSystemSettings>> settings,
            Function<FetchResult, Uni<Void>> publish) {
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndMerge(claim -> resultOf(claim, settings.get(claim.fhirSystemId()))
                        .chain(result -> untilAvailable(() -> publish.apply(result), "publish a fetch result")))
                .collect().with(Collectors.counting())
                .map(Long::intValue);
    }

    private Uni<FetchResult> resultOf(ClaimedInstance claim, Optional<FhirSystemSettings> system) {
        if (system == null || system.isEmpty()) {
            return Uni.createFrom().item(fetcher.failed(claim, new FetchFailure(ErrorClass.CONFIGURATION,
                    "the project's FHIR system is not configured in config-service")));
        }
        return limits.run(system.get(), () -> fetcher.fetch(claim, system.get()))
                // The system's shared request slots refused (config-service no longer knows the system).
                .onFailure(FetchFailure.class)
                .recoverWithItem(failure -> fetcher.failed(claim, (FetchFailure) failure));
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
