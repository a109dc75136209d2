package org.fhirsnapshot.archive.rest;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.fhirsnapshot.archive.client.MrnServiceClient;
import org.fhirsnapshot.archive.persistence.DownloadRepository;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;

/** The download audit of a project. */
@Path("/api/projects/{key}/downloads")
@Produces(MediaType.APPLICATION_JSON)
public class DownloadResource {

    private static final int DEFAULT_SIZE = 20;
    private static final int MAX_SIZE = 200;

    private final DownloadRepository downloads;
    private final MrnServiceClient mrnService;

    public DownloadResource(DownloadRepository downloads, MrnServiceClient mrnService) {
        this.downloads = downloads;
        this.mrnService = mrnService;
    }

    /**
     * The project's downloads, newest first, each with who downloaded; 404 for a project that neither this service
     * nor mrn-service knows (the same 404 as for a caller with no role in the project). Exporter or more: the records
     * hold no PHI (no MRN, only filters, counts and user names), and whoever may download may see what was
     * downloaded, including their own downloads' outcome.
     */
    @GET
    @WithSession
    @RequiresProjectRole(ProjectRole.EXPORTER)
    @Operation(summary = "Lists the project's archive downloads, newest first")
    public Uni<DownloadPage> list(
            @PathParam("key") @Pattern(regexp = ProjectKeys.PATTERN, message = ProjectKeys.MESSAGE) String key,
            @Parameter(description = "page index, from 0 to "
                    + Paging.MAX_PAGE, schema = @Schema(type = SchemaType.INTEGER, defaultValue = "0")) @QueryParam("page") String page,
            @Parameter(description = "page size, from 1 to "
                    + MAX_SIZE, schema = @Schema(type = SchemaType.INTEGER, defaultValue = "20")) @QueryParam("size") String size) {
        Paging paging = Paging.of(page, size, DEFAULT_SIZE, MAX_SIZE);
        return downloads.countOf(key).flatMap(total -> {
            Uni<Void> known = total > 0 ? Uni.createFrom().voidItem() : mrnService.requireProject(key);
            return known.flatMap(ignored -> downloads.page(key, paging.page(), paging.size()))
                    .map(items -> new DownloadPage(paging.page(), paging.size(), total,
                            items.stream().map(DownloadView::of).toList()));
        });
    }
}
