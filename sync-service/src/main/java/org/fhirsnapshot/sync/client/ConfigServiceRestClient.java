package org.fhirsnapshot.sync.client;

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

/** config-service's internal API. Use it through {@link ConfigServiceClient}. */
@RegisterProvider(ServiceTokenFilter.class)
@RegisterRestClient(configKey = "config-service")
@Path("/internal/projects")
@Produces(MediaType.APPLICATION_JSON)
public interface ConfigServiceRestClient {

    @GET
    @Path("/{key}/mappings")
    Uni<ProjectMappings> mappings(@PathParam("key") String projectKey);
}
