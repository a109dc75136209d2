package org.fhirsnapshot.fetch.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.contracts.internal.RequestPermits;
import org.fhirsnapshot.contracts.internal.SlotGrant;
import org.fhirsnapshot.contracts.internal.SlotRequest;
import org.fhirsnapshot.contracts.internal.SlowDown;
import org.fhirsnapshot.security.ServiceTokenFilter;

/** config-service's internal API, as the worker uses it. Callers go through {@link ConfigServiceClient}. */
@RegisterProvider(ServiceTokenFilter.class)
@RegisterRestClient(configKey = "config-service")
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
public interface ConfigServiceRestClient {

    /** A FHIR system with its credentials. */
    @GET
    @Path("/fhir-systems/{id}")
    Uni<FhirSystemSettings> fhirSystem(@PathParam("id") long id);

    /** Permits to send requests to a FHIR system now, from the token bucket shared by every worker. */
    @POST
    @Path("/fhir-systems/{id}/request-permits")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<PermitGrant> requestPermits(@PathParam("id") long id, RequestPermits request);

    /** A pause the FHIR system asked for (429), shared with every worker through the request permits. */
    @POST
    @Path("/fhir-systems/{id}/slow-down")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Void> slowDown(@PathParam("id") long id, SlowDown pause);

    /** Request slots of a FHIR system's maximum of concurrent requests, shared by every worker (a lease). */
    @POST
    @Path("/fhir-systems/{id}/request-slots")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<SlotGrant> requestSlots(@PathParam("id") long id, SlotRequest request);
}
