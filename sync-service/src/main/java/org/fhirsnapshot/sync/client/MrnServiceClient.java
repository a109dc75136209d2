package org.fhirsnapshot.sync.client;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.sync.RetryFilter;

/**
 * What sync-service tells mrn-service. Timeouts come from {@code quarkus.rest-client.mrn-service.*}. No retries
 * here: a reconcile may run long, so a failed call is retried by the task runner, with backoff, as another attempt.
 */
@ApplicationScoped
public class MrnServiceClient {

    private static final String SERVICE = "mrn-service";

    private final MrnServiceRestClient client;

    public MrnServiceClient(@RestClient MrnServiceRestClient client) {
        this.client = client;
    }

    /** Reconciles the project's instances against its active mappings (idempotent). */
    public Uni<ReconcileReport> reconcile(String projectKey, ReconcileRequest request) {
        return client.reconcile(projectKey, request)
                .onFailure().transform(e -> DownstreamFailures.translate(SERVICE, "the reconcile", e));
    }

    /** Puts the project's failed instances that match the filter back to pending; returns how many. */
    public Uni<Integer> retryFailed(String projectKey, RetryFilter filter) {
        return client.retryFailed(projectKey, new RetryFailedRequest(filter.errorClasses(), filter.mappingIds()))
                .map(RetryFailedReport::requeued)
                .onFailure().transform(e -> DownstreamFailures.translate(SERVICE, "retry failed", e));
    }
}
