package org.fhirsnapshot.fetch.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;

/** config-service's internal API, as the worker uses it. Callers go through {@link ConfigServiceClient}. */
@RegisterRestClient(configKey = "config-service")
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
public interface ConfigServiceRestClient {

    /** A FHIR system with its credentials. */
    @GET
    @Path("/fhir-systems/{id}")
    Uni<FhirSystemSettings> fhirSystem(@PathParam("id") long id);
}
