package org.fhirsnapshot.archive.rest;

import io.smallrye.common.annotation.Blocking;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.fhirsnapshot.archive.ArchiveFilters;
import org.fhirsnapshot.archive.ArchiveService;
import org.fhirsnapshot.problem.Problem;

/** The streaming archive of a project. */
@Path("/api/projects/{key}/archive")
public class ArchiveResource {

    static final String ZIP = "application/zip";

    private final ArchiveService archives;

    public ArchiveResource(ArchiveService archives) {
        this.archives = archives;
    }

    /**
     * The project's payloads as a ZIP, streamed as it is built. Everything that can fail before the first byte
     * (filters, unknown project, mrn-service down) fails here as a problem+json response.
     * <p>
     * {@code @Blocking}: reading payload files and writing the ZIP block, so this runs on a worker thread; the
     * {@link StreamingOutput} writes to Quarkus REST's blocking output stream on that same worker thread, which
     * waits while the client is slower than the archive (back-pressure: memory stays bounded).
     */
    @GET
    @Blocking
    @Produces({ZIP, Problem.MEDIA_TYPE})
    @Operation(summary = "Streams the project's payloads as a ZIP with a manifest")
    public Response archive(
            @PathParam("key") @Pattern(regexp = ProjectKeys.PATTERN, message = ProjectKeys.MESSAGE) String key,
            @QueryParam("mrn") List<String> mrn,
            @QueryParam("mapping") List<String> mapping, @QueryParam("format") String format,
            @QueryParam("fetchedAfter") String fetchedAfter, @QueryParam("fetchedBefore") String fetchedBefore,
            @QueryParam("from") String from, @QueryParam("to") String to) {
        ArchiveFilters filters = ArchiveFilters.parse(mrn, mapping, format, fetchedAfter, fetchedBefore, from, to);
        ArchiveService.ArchiveDownload download = archives.prepare(key, filters);
        StreamingOutput body = download::writeTo;
        return Response.ok(body, ZIP)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + key + "-snapshot.zip\"")
                // Patient data: no cache may keep a copy.
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Download-Id", download.id())
                .build();
    }
}
