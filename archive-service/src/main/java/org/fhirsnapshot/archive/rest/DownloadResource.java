package org.fhirsnapshot.archive.rest;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.fhirsnapshot.archive.client.MrnServiceClient;
import org.fhirsnapshot.archive.persistence.DownloadRepository;

/** The download audit of a project. */
@Path("/api/projects/{key}/downloads")
@Produces(MediaType.APPLICATION_JSON)
public class DownloadResource {

    private final DownloadRepository downloads;
    private final MrnServiceClient mrnService;

    public DownloadResource(DownloadRepository downloads, MrnServiceClient mrnService) {
        this.downloads = downloads;
        this.mrnService = mrnService;
    }

    /** The project's downloads, newest first; 404 for a project that neither this service nor mrn-service knows. */
    @GET
    @WithSession
    @Operation(summary = "Lists the project's archive downloads, newest first")
    public Uni<DownloadPage> list(
            @PathParam("key") @Pattern(regexp = ProjectKeys.PATTERN, message = ProjectKeys.MESSAGE) String key,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(200) int size) {
        return downloads.countOf(key).flatMap(total -> {
            Uni<Void> known = total > 0 ? Uni.createFrom().voidItem() : mrnService.requireProject(key);
            return known.flatMap(ignored -> downloads.page(key, page, size))
                    .map(items -> new DownloadPage(page, size, total,
                            items.stream().map(DownloadView::of).toList()));
        });
    }
}
