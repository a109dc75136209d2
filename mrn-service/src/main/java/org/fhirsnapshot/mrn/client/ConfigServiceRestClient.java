package org.fhirsnapshot.mrn.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.ProjectMappings;
import org.fhirsnapshot.security.ServiceTokenFilter;

/**
 * config-service's internal API, called with this service's own token ({@link ServiceTokenFilter}). Use
 * {@link ConfigServiceClient}, which translates its answers.
 */
@RegisterRestClient(configKey = "config-service")
@RegisterProvider(ServiceTokenFilter.class)
@Path("/internal/projects")
@Produces(MediaType.APPLICATION_JSON)
public interface ConfigServiceRestClient {

    @GET
    @Path("/{key}/mappings")
    Uni<ProjectMappings> mappings(@PathParam("key") String projectKey);
}
