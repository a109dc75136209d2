package org.fhirsnapshot.sync.client;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.sync.RetryFilter;

/**
 * What sync-service tells mrn-service. Timeouts come from {@code quarkus.rest-client.mrn-service.*}. No retries
 * here: a reconcile may run long, so a failed call is retried by the task runner, with backoff, as another attempt;
 * a failed sweep is simply tried again at the next one.
 */
@ApplicationScoped
public class MrnServiceClient {

    private static final String SERVICE = "mrn-service";

    private final MrnServiceRestClient client;

    public MrnServiceClient(@RestClient MrnServiceRestClient client) {
        this.client = client;
    }

    /**
     * Reconciles the project's instances against its active mappings (idempotent). The answer is kept whole, fields
     * this version does not know included ({@code created}, {@code outdated}, {@code deleted}, {@code requeued},
     * and from newer mrn-services {@code reused} and {@code byMapping}).
     */
    public Uni<JsonObject> reconcile(String projectKey, ReconcileRequest request) {
        return client.reconcile(projectKey, request)
                .onFailure().transform(e -> DownstreamFailures.translate(SERVICE, "the reconcile", e))
                .map(answer -> {
                    if (answer == null) {
                        throw new DownstreamRejectedException(SERVICE + " answered the reconcile without a report");
                    }
                    return new JsonObject(answer.toString());
                });
    }

    /** Puts the project's failed instances that match the filter back to pending; returns how many. */
    public Uni<Integer> retryFailed(String projectKey, RetryFilter filter) {
        return client.retryFailed(projectKey, new RetryFailedRequest(filter.errorClasses(), filter.mappingIds()))
                .map(RetryFailedReport::requeued)
                .onFailure().transform(e -> DownstreamFailures.translate(SERVICE, "retry failed", e));
    }

    /** Sweeps every project at mrn-service (architecture flow 5); the answer lists only projects it changed. */
    public Uni<SweepAnswer> sweep() {
        return client.sweep().onFailure().transform(e -> DownstreamFailures.translate(SERVICE, "the sweep", e))
                .map(answer -> answer == null ? new SweepAnswer(null) : answer);
    }
}
