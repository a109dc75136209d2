package org.fhirsnapshot.archive.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.fhirsnapshot.archive.ArchiveFilters;
import org.fhirsnapshot.archive.ArchiveFormat;
import org.fhirsnapshot.archive.ArchiveService;
import org.fhirsnapshot.archive.ByteRange;
import org.fhirsnapshot.archive.PlannedArchive;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.security.Caller;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;

/**
 * The streaming archive of a project: for its exporters and managers (and admins). Patient data leaves here, so every
 * download is recorded with the caller's name.
 */
@Path("/api/projects/{key}/archive")
@Produces({ArchiveResource.ZIP, Problem.MEDIA_TYPE})
@Blocking // reading payload files and writing the ZIP block (see archive)
public class ArchiveResource {

    static final String ZIP = "application/zip";

    private final ArchiveService archives;
    private final SecurityIdentity identity;

    public ArchiveResource(ArchiveService archives, SecurityIdentity identity) {
        this.archives = archives;
        this.identity = identity;
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
     * <p>
     * Exporter or more in the project. A caller with no role in the project gets the same 404 as for a project that
     * does not exist. Every download is recorded with the caller's name ({@code X-Download-Id} gives its record).
     */
    @GET
    @RequiresProjectRole(ProjectRole.EXPORTER)
    @Operation(summary = "Streams the project's payloads as a ZIP with a manifest")
    public Response archive(@Valid @BeanParam ArchiveRequest request) {
        return answer(request, Caller.of(identity).name());
    }

    /**
     * What {@link #archive} would answer, headers only ({@code Content-Length}, {@code ETag}, {@code Content-Range} of
     * a planned json archive; the same 4xx problems): the same checks, the same planning, but nothing is sent and no
     * download is recorded. Exporter or more, as for GET.
     */
    @HEAD
    @RequiresProjectRole(ProjectRole.EXPORTER)
    @Operation(summary = "The archive's headers (length, ETag) without its bytes; no download is recorded")
    public Response head(@Valid @BeanParam ArchiveRequest request) {
        return answer(request, null);
    }

    /**
     * The response to an archive request.
     *
     * @param caller who downloads (recorded), or null for a HEAD: headers only, nothing recorded
     */
    private Response answer(ArchiveRequest request, String caller) {
        String key = request.key;
        ArchiveFilters filters = request.filters();
        boolean head = caller == null;
        if (filters.format() != ArchiveFormat.json || filters.resourceFilter().active()) {
            if (head) {
                archives.check(key, filters);
                return attachment(Response.ok().type(ZIP), key).header("Accept-Ranges", "none").build();
            }
            ArchiveService.ArchiveDownload download = archives.prepare(key, filters, caller);
            return attachment(Response.ok((StreamingOutput) download::writeTo, ZIP), key)
                    .header("Accept-Ranges", "none")
                    .header("X-Download-Id", download.id())
                    .build();
        }
        PlannedArchive plan = archives.plan(key, filters);
        String etag = "\"" + plan.etag() + "\"";
        ByteRange.Request asked = ByteRange.of(request.range, request.ifRange, etag, plan.length());
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
        Response.ResponseBuilder response = asked instanceof ByteRange.Partial
                ? Response.status(206).header("Content-Range", bytes.contentRange(plan.length()))
                : Response.ok();
        if (!head) {
            ArchiveService.ArchiveDownload download = archives.startPlanned(key, filters, plan, bytes.first(),
                    bytes.last(), caller);
            response.entity((StreamingOutput) download::writeTo).header("X-Download-Id", download.id());
        }
        return attachment(response.type(ZIP), key)
                .header(HttpHeaders.CONTENT_LENGTH, bytes.length())
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.ETAG, etag)
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
