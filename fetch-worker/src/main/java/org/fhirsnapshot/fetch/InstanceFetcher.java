package org.fhirsnapshot.fetch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.fhirsnapshot.fetch.observability.FetchTraces;
import org.jboss.logging.Logger;

/**
 * Fetches one claimed instance: MRN to Patient id, the search with all its pages streamed to the payload store, and
 * the {@link FetchResult} that tells mrn-service how it went, all within the FHIR system's total timeout
 * ({@link EhrTimeouts}; past it the fetch fails as {@link FetchDeadline#expired()} says). Never fails: every way a
 * fetch can end becomes a result. Counts {@code fhir_snapshot_fetch_results_total{fhir_system_id,outcome,error_class}}
 * and times {@code fhir_snapshot_fetch_duration_seconds{fhir_system_id,outcome}}; traces the fetch as the span
 * {@code InstanceFetcher.fetch} ({@link FetchTraces}).
 */
@ApplicationScoped
public class InstanceFetcher {

    private static final Logger LOG = Logger.getLogger(InstanceFetcher.class);

    private final PatientResolver patients;
    private final SearchFetcher searches;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final FetchConfig config;
    private final FetchTraces traces;

    public InstanceFetcher(PatientResolver patients, SearchFetcher searches, Vertx vertx,
            MeterRegistry registry, FetchConfig config, FetchTraces traces) {
        this.patients = patients;
        this.searches = searches;
        this.vertx = vertx;
        this.registry = registry;
        this.config = config;
        this.traces = traces;
    }

    public Uni<FetchResult> fetch(ClaimedInstance claim, FhirSystemSettings system) {
        Timer.Sample sample = Timer.start(registry);
        Span span = traces.startFetch(claim.instanceId(), system.id());
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
                .invoke(result -> {
                    record(sample, result, system.id());
                    FetchTraces.endFetch(span, result);
                });
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
        count(result, claim.fhirSystemId());
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

    private void record(Timer.Sample sample, FetchResult result, long fhirSystemId) {
        sample.stop(Timer.builder("fhir.snapshot.fetch.duration")
                .description("Time to fetch one instance (patient lookup, every page, storing), by FHIR system")
                .tag("fhir_system_id", Long.toString(fhirSystemId)).tag("outcome", result.outcome().name())
                // Buckets for percentiles (histogram_quantile), from 50 ms to 10 min: a few dozen series per system.
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(50))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry));
        count(result, fhirSystemId);
    }

    /** Labels: the FHIR system's id, the outcome and the error class (a closed set), never a URL or a message. */
    private void count(FetchResult result, long fhirSystemId) {
        String errorClass = result.errorClass() == null ? "none" : result.errorClass();
        Counter.builder("fhir.snapshot.fetch.results")
                .description("Fetch results emitted, by FHIR system, outcome and error class")
                .tag("fhir_system_id", Long.toString(fhirSystemId)).tag("outcome", result.outcome().name())
                .tag("error_class", errorClass).register(registry).increment();
    }
}
