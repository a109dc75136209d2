package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.mrn.KnownProjects;
import org.fhirsnapshot.mrn.ReconcileResult;
import org.fhirsnapshot.mrn.ReconcileService;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.problem.QueryNumbers;
import org.fhirsnapshot.security.SecurityRoles;

/** Service-to-service calls on a project: reconcile (sync-service), retry failed, archive entries. */
@Path("/internal/projects/{key}")
@RolesAllowed(SecurityRoles.SERVICE)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal", description = "For other FHIR Snapshot services only")
public class InternalProjectResource {

    private final ReconcileService reconcileService;
    private final InstanceRepository instances;
    private final KnownProjects knownProjects;
    private final ObjectMapper json;

    public InternalProjectResource(ReconcileService reconcileService, InstanceRepository instances,
            KnownProjects knownProjects, ObjectMapper json) {
        this.reconcileService = reconcileService;
        this.json = json;
        this.instances = instances;
        this.knownProjects = knownProjects;
    }

    /**
     * Brings the project's instances in line with its active mappings and MRNs, in one transaction. Answers the
     * contract's ReconcileReport fields plus {@code reused} and {@code byMapping} (see {@link ReconcileResult}).
     */
    @POST
    @Path("/reconcile")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ReconcileResult> reconcile(@PathParam("key") String key, ReconcileRequest request) {
        return reconcileService.reconcile(key, request);
    }

    /**
     * Failed instances back to pending (attempt kept, errors cleared), optionally by error class or mapping. The body
     * is optional (no body: every failed instance).
     */
    @POST
    @Path("/retry-failed")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryFailedRequest.class)))
    public Uni<RetryFailedResult> retryFailed(@PathParam("key") String key, byte[] body) throws IOException {
        // Read here rather than by JAX-RS, so that a call without a body (and without a Content-Type) works too; as
        // bytes, so that the JSON parser refuses invalid UTF-8 instead of reading replacement characters.
        boolean blank = body == null || new String(body, StandardCharsets.ISO_8859_1).isBlank();
        RetryFailedRequest read = blank ? null : json.readValue(body, RetryFailedRequest.class);
        // JSON null reads as no request: the same as no body, retry every failed instance.
        RetryFailedRequest filter = read != null ? read : new RetryFailedRequest(null, null);
        return reconcileService.retryFailed(key, filter.errorClasses(), filter.mappingIds())
                .map(RetryFailedResult::new);
    }

    /**
     * Completed and failed instances after {@code afterId} in id order, for archive-service to page through.
     * {@code mrn} and {@code mapping} (id, name or key) may repeat.
     */
    @GET
    @Path("/archive-entries")
    public Uni<List<ArchiveEntry>> archiveEntries(@PathParam("key") String key, @QueryParam("mrn") List<String> mrn,
            @QueryParam("mapping") List<String> mapping,
            @QueryParam("afterId") String afterIdParam, @QueryParam("limit") String limitParam) {
        long afterId = QueryNumbers.wholeNumber("afterId", afterIdParam, 0L, 0, Long.MAX_VALUE);
        int limit = QueryNumbers.wholeNumber("limit", limitParam, 1000, 1, 5000);
        return knownProjects.require(key).chain(() -> instances.archiveEntries(key, orNull(mrn), orNull(mapping),
                afterId, limit));
    }

    private static String[] orNull(List<String> values) {
        if (values == null) {
            return null;
        }
        String[] kept = values.stream().filter(v -> v != null && !v.isBlank()).map(String::trim)
                .toArray(String[]::new);
        return kept.length == 0 ? null : kept;
    }
}
