package org.fhirsnapshot.archive.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.fhirsnapshot.archive.ArchiveService;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.QueryNumbers;
import org.fhirsnapshot.security.Caller;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;

/**
 * One instance's stored payload (the console's "view one payload"): for the project's exporters and managers (and
 * admins), recorded in the download audit like an archive, since patient data leaves here too.
 */
@Path("/api/projects/{key}/payloads/{instanceId}")
// application/json too: a client that asks for plain JSON gets the payload (FHIR JSON is JSON), not a 406.
@Produces({PayloadResource.FHIR_JSON, MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
@Blocking // the payload store blocks (a file, an S3 GET), and so does the wait on mrn-service
public class PayloadResource {

    static final String FHIR_JSON = "application/fhir+json";

    private final ArchiveService archives;
    private final SecurityIdentity identity;

    public PayloadResource(ArchiveService archives, SecurityIdentity identity) {
        this.archives = archives;
        this.identity = identity;
    }

    /**
     * The payload as fetch-worker stored it, byte for byte (inflated from the store's gzip), streamed: the
     * {@link StreamingOutput} copies from the store to Quarkus REST's blocking output stream on this worker thread,
     * which waits while the client is slower. A 404 problem (never naming an MRN) when the project has no such
     * instance or it has no stored payload; the 404 of an unknown project is the one of a project without a role.
     */
    @GET
    @RequiresProjectRole(ProjectRole.EXPORTER)
    @Operation(summary = "One instance's stored payload (a searchset Bundle), recorded as a download")
    public Response payload(
            @PathParam("key") @Pattern(regexp = ProjectKeys.PATTERN, message = ProjectKeys.MESSAGE) String key,
            @PathParam("instanceId") String instanceId) {
        long id = instanceId(instanceId);
        ArchiveService.ArchiveDownload download = archives.preparePayload(key, id, Caller.of(identity).name());
        return headers(Response.ok((StreamingOutput) download::writeTo, FHIR_JSON), id)
                .header("X-Download-Id", download.id())
                .build();
    }

    /** What {@link #payload} would answer, headers only (the same checks and 404s); not recorded as a download. */
    @HEAD
    @RequiresProjectRole(ProjectRole.EXPORTER)
    @Operation(summary = "Whether the instance has a stored payload (its headers); no download is recorded")
    public Response head(
            @PathParam("key") @Pattern(regexp = ProjectKeys.PATTERN, message = ProjectKeys.MESSAGE) String key,
            @PathParam("instanceId") String instanceId) {
        long id = instanceId(instanceId);
        archives.checkPayload(key, id);
        return headers(Response.ok().type(FHIR_JSON), id).build();
    }

    /** The instance id, read from text: anything but a whole number from 1 up is a 400 naming it. */
    private static long instanceId(String raw) {
        return QueryNumbers.wholeNumber("instanceId", raw == null || raw.isEmpty() ? "0" : raw, 0L, 1,
                Long.MAX_VALUE);
    }

    private static Response.ResponseBuilder headers(Response.ResponseBuilder response, long instanceId) {
        return response
                .header(HttpHeaders.CONTENT_DISPOSITION, "inline; filename=\"payload-" + instanceId + ".json\"")
                // Patient data: no cache may keep a copy.
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("X-Content-Type-Options", "nosniff");
    }
}
