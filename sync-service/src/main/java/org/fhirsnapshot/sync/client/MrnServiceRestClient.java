package org.fhirsnapshot.sync.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;

/** mrn-service's internal API. Use it through {@link MrnServiceClient}. */
@RegisterRestClient(configKey = "mrn-service")
@Path("/internal/projects")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MrnServiceRestClient {

    @POST
    @Path("/{key}/reconcile")
    Uni<ReconcileReport> reconcile(@PathParam("key") String projectKey, ReconcileRequest request);

    @POST
    @Path("/{key}/retry-failed")
    Uni<RetryFailedReport> retryFailed(@PathParam("key") String projectKey, RetryFailedRequest request);
}
