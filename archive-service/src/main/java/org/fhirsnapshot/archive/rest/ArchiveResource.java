package org.fhirsnapshot.archive.rest;

import io.smallrye.common.annotation.Blocking;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
import org.fhirsnapshot.archive.ArchiveFormat;
import org.fhirsnapshot.archive.ArchiveService;
import org.fhirsnapshot.archive.ByteRange;
import org.fhirsnapshot.archive.PlannedArchive;
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
     * The project's payloads as a ZIP. Everything that can fail before the first byte (filters, unknown project,
     * mrn-service down) fails here as a problem+json response.
     * <p>
     * A plain {@code json} archive is planned first (see {@link PlannedArchive}): it is sent with
     * {@code Content-Length}, {@code Accept-Ranges: bytes} and a strong {@code ETag}, and a {@code Range} (with an
     * optional {@code If-Range}) gets a 206 with that part, so an interrupted download resumes. {@code ndjson} and a
     * json archive with {@code type}/{@code from}/{@code to} are streamed as they are built, chunked, without a length
     * ({@code Accept-Ranges: none}).
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
            @QueryParam("type") List<String> type, @QueryParam("from") String from, @QueryParam("to") String to,
            @HeaderParam("Range") String range, @HeaderParam("If-Range") String ifRange) {
        ArchiveFilters filters = ArchiveFilters.parse(mrn, mapping, format, fetchedAfter, fetchedBefore, type, from,
                to);
        if (filters.format() != ArchiveFormat.json || filters.resourceFilter().active()) {
            ArchiveService.ArchiveDownload download = archives.prepare(key, filters);
            return attachment(Response.ok((StreamingOutput) download::writeTo, ZIP), key)
                    .header("Accept-Ranges", "none")
                    .header("X-Download-Id", download.id())
                    .build();
        }
        PlannedArchive plan = archives.plan(key, filters);
        String etag = "\"" + plan.etag() + "\"";
        ByteRange.Request asked = ByteRange.of(range, ifRange, etag, plan.length());
        if (asked instanceof ByteRange.Unsatisfiable) {
            Problem problem = Problem.of(416, "Range not satisfiable", "The archive has " + plan.length()
                    + " bytes; ask for a range that starts before its end.");
            return Response.status(416).type(Problem.MEDIA_TYPE).entity(problem)
                    .header("Content-Range", "bytes */" + plan.length())
                    .header(HttpHeaders.ETAG, etag)
                    .build();
        }
        ByteRange bytes = asked instanceof ByteRange.Partial partial
                ? partial.range()
                : new ByteRange(0, plan.length() - 1);
        ArchiveService.ArchiveDownload download = archives.startPlanned(key, filters, plan, bytes.first(),
                bytes.last());
        Response.ResponseBuilder response = asked instanceof ByteRange.Partial
                ? Response.status(206).header("Content-Range", bytes.contentRange(plan.length()))
                : Response.ok();
        return attachment(response.entity((StreamingOutput) download::writeTo).type(ZIP), key)
                .header(HttpHeaders.CONTENT_LENGTH, bytes.length())
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.ETAG, etag)
                .header("X-Download-Id", download.id())
                .build();
    }

    private static Response.ResponseBuilder attachment(Response.ResponseBuilder response, String key) {
        return response
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + key + "-snapshot.zip\"")
                // Patient data: no cache may keep a copy.
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("X-Content-Type-Options", "nosniff");
    }
}
