package org.fhirsnapshot.fetch.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.ReleaseRequest;
import org.fhirsnapshot.contracts.internal.ReleaseResult;
import org.fhirsnapshot.security.ServiceTokenFilter;

/** mrn-service's internal API, as the worker uses it. Callers go through {@link MrnServiceClient}. */
@RegisterProvider(ServiceTokenFilter.class)
@RegisterRestClient(configKey = "mrn-service")
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MrnServiceRestClient {

    /** Claims the instances that are still pending; the others are left out of the answer. */
    @POST
    @Path("/instances/claim")
    Uni<List<ClaimedInstance>> claim(ClaimRequest request);

    /** Gives back claims this worker will not finish (it is stopping); stale tokens are ignored. */
    @POST
    @Path("/instances/release")
    Uni<ReleaseResult> release(ReleaseRequest request);
}
