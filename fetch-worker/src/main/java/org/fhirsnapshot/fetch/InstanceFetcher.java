package org.fhirsnapshot.fetch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.jboss.logging.Logger;

/**
 * Fetches one claimed instance: MRN to Patient id, the search with all its pages streamed to the payload store, and
 * the {@link FetchResult} that tells mrn-service how it went, all within the FHIR system's total timeout
 * ({@link EhrTimeouts}; past it the fetch fails as {@link FetchDeadline#expired()} says). Never fails: every way a
 * fetch can end becomes a result. Counts {@code fetch_results_total{outcome,error_class}} and times
 * {@code fetch_duration_seconds}.
 */
@ApplicationScoped
public class InstanceFetcher {

    private static final Logger LOG = Logger.getLogger(InstanceFetcher.class);

    private final PatientResolver patients;
    private final SearchFetcher searches;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final FetchConfig config;

    public InstanceFetcher(PatientResolver patients, SearchFetcher searches, Vertx vertx,
            MeterRegistry registry, FetchConfig config) {
        this.patients = patients;
        this.searches = searches;
        this.vertx = vertx;
        this.registry = registry;
        this.config = config;
    }

    public Uni<FetchResult> fetch(ClaimedInstance claim, FhirSystemSettings system) {
        Timer.Sample sample = Timer.start(registry);
        String[] patientId = new String[1];
        FetchDeadline deadline = new FetchDeadline(EhrTimeouts.of(system, config).total());
        Uni<FetchResult> work = patients.resolve(claim, system, deadline)
                .chain(id -> {
                    patientId[0] = id;
                    String url = SearchUrls.search(system.baseUrl(), claim.query(), id, pageSize(system));
                    return searches.fetch(system, url, deadline);
                })
                .map(search -> FetchResult.completed(claim.instanceId(), claim.claimToken(), search.payload().ref(),
                        new Pagination(search.pages(), search.resources(), search.outcomeEntries(),
                                search.payload().size()),
                        search.warnings(), patientId[0]));
        return Uni.combine().any().of(work, expiry(deadline))
                .onFailure().recoverWithItem(failure -> failed(claim, failure, patientId[0]))
                .invoke(result -> record(sample, result));
    }

    /**
     * Fails when the fetch's total timeout passes (a Vert.x timer); the fetch still running is then cancelled: its
     * wait for a request permit ends and its partial payload is deleted.
     */
    private Uni<FetchResult> expiry(FetchDeadline deadline) {
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(Math.max(1, deadline.total().toMillis()),
                    id -> emitter.fail(deadline.expired()));
            emitter.onTermination(() -> vertx.cancelTimer(timer));
        });
    }

    /** Fails a claimed instance without fetching it (its FHIR system is gone, for example). */
    public FetchResult failed(ClaimedInstance claim, FetchFailure failure) {
        FetchResult result = failed(claim, (Throwable) failure, null);
        count(result);
        return result;
    }

    private FetchResult failed(ClaimedInstance claim, Throwable failure, String patientId) {
        FetchFailure known;
        if (failure instanceof FetchFailure fetchFailure) {
            known = fetchFailure;
        } else if (failure instanceof IOException || failure instanceof UncheckedIOException) {
            LOG.errorf("instance %d of project %s: the payload could not be stored (%s)", claim.instanceId(),
                    claim.projectKey(), failure.getClass().getSimpleName());
            known = new FetchFailure(ErrorClass.STORAGE, "the payload could not be written to the payload store");
        } else {
            // A bug: the class name is logged, not the message (it could quote a URL with an MRN).
            LOG.errorf("instance %d of project %s: unexpected %s", claim.instanceId(), claim.projectKey(),
                    failure.getClass().getName());
            known = new FetchFailure(ErrorClass.INTERNAL, "the fetch worker failed unexpectedly; its log says more");
        }
        LOG.debugf("instance %d of project %s failed: %s", claim.instanceId(), claim.projectKey(),
                known.errorClass().code());
        return FetchResult.failed(claim.instanceId(), claim.claimToken(), known.errorClass().code(),
                known.getMessage(), known.protectedRecord(), List.of(), patientId);
    }

    private int pageSize(FhirSystemSettings system) {
        return system.limits() != null && system.limits().pageSize() > 0
                ? system.limits().pageSize()
                : config.defaultPageSize();
    }

    private void record(Timer.Sample sample, FetchResult result) {
        sample.stop(Timer.builder("fetch.duration").description("Time to fetch one instance, paging and storing")
                .tag("outcome", result.outcome().name()).register(registry));
        count(result);
    }

    private void count(FetchResult result) {
        String errorClass = result.errorClass() == null ? "none" : result.errorClass();
        Counter.builder("fetch.results").description("Fetch results emitted, by outcome and error class")
                .tag("outcome", result.outcome().name()).tag("error_class", errorClass).register(registry)
                .increment();
    }
}
