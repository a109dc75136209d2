package org.fhirsnapshot.archive.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.security.ServiceTokenFilter;

/**
 * mrn-service's internal API, as far as archives need it, called with this service's own token (role
 * {@code service}). Use it through {@link MrnServiceClient}.
 */
@RegisterRestClient(configKey = "mrn-service")
@RegisterProvider(ServiceTokenFilter.class)
@Path("/internal/projects/{key}")
@Produces(MediaType.APPLICATION_JSON)
public interface MrnServiceRestClient {

    /**
     * A page of a project's completed and failed instances, ordered by id, after {@code afterId}; empty past the
     * last. 404 for an unknown project.
     *
     * @param mappings mapping ids, names or keys
     */
    @GET
    @Path("/archive-entries")
    Uni<List<ArchiveEntry>> archiveEntries(@PathParam("key") String projectKey, @QueryParam("mrn") List<String> mrns,
            @QueryParam("mapping") List<String> mappings, @QueryParam("afterId") Long afterId,
            @QueryParam("limit") int limit);
}
