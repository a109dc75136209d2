package org.fhirsnapshot.sync.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.security.ServiceTokenFilter;

/** mrn-service's internal API. Use it through {@link MrnServiceClient}. */
@RegisterProvider(ServiceTokenFilter.class)
@RegisterRestClient(configKey = "mrn-service")
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MrnServiceRestClient {

    /**
     * Read as a JSON tree, not as {@code ReconcileReport}: the answer grows (for example {@code reused} and
     * {@code byMapping}) and sync-service keeps every field of it in the task's report.
     */
    @POST
    @Path("/projects/{key}/reconcile")
    Uni<ObjectNode> reconcile(@PathParam("key") String projectKey, ReconcileRequest request);

    @POST
    @Path("/projects/{key}/retry-failed")
    Uni<RetryFailedReport> retryFailed(@PathParam("key") String projectKey, RetryFailedRequest request);

    /** Returns expired leases to pending and republishes pending instances left unpublished, for every project. */
    @POST
    @Path("/sweep")
    Uni<SweepAnswer> sweep();
}
