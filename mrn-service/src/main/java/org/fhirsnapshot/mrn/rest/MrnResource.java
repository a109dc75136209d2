package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.mrn.KnownProjects;
import org.fhirsnapshot.mrn.Mrn;
import org.fhirsnapshot.mrn.MrnNotFoundException;
import org.fhirsnapshot.mrn.MrnService;
import org.fhirsnapshot.mrn.MrnUpload;
import org.fhirsnapshot.mrn.ResourceInstance;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.mrn.persistence.MrnRepository;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * A project's MRNs: upload, remove, list with their active instances. MRNs are PHI: every call needs the manager role
 * in the project (or admin).
 */
@Path("/api/projects/{key}/mrns")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "MRNs", description = "The patients of a project, by MRN")
public class MrnResource {

    private final MrnService mrnService;
    private final MrnRepository mrns;
    private final InstanceRepository instances;
    private final KnownProjects knownProjects;
    private final int maxPerRequest;
    private final ObjectMapper json;

    public MrnResource(MrnService mrnService, MrnRepository mrns, InstanceRepository instances,
            KnownProjects knownProjects, MrnServiceConfig config, ObjectMapper json) {
        this.mrnService = mrnService;
        this.mrns = mrns;
        this.instances = instances;
        this.knownProjects = knownProjects;
        this.maxPerRequest = config.mrns().maxPerRequest();
        this.json = json;
    }

    /** Adds MRNs sent as {@code {"mrns": [...]}}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresProjectRole(ProjectRole.MANAGER)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MrnUploadRequest.class)))
    public Uni<MrnUploadResult> addJson(@PathParam("key") String key, String body) throws JsonProcessingException {
        // Read here rather than by JAX-RS, so that an empty body is the "no MRNs" problem of MrnUpload; JSON that
        // does not parse gets problem-details' "not valid JSON" detail, which never quotes the body.
        MrnUploadRequest request = body == null || body.isBlank() ? null : json.readValue(body, MrnUploadRequest.class);
        List<String> values = request == null || request.mrns() == null ? List.of() : request.mrns();
        return add(key, MrnUpload.ofValues(values, maxPerRequest));
    }

    /** Adds MRNs sent as text, one a line; blank lines are ignored. */
    @POST
    @Consumes(MediaType.TEXT_PLAIN)
    @RequiresProjectRole(ProjectRole.MANAGER)
    public Uni<MrnUploadResult> addText(@PathParam("key") String key, String body) {
        return add(key, MrnUpload.ofText(body, maxPerRequest));
    }

    private Uni<MrnUploadResult> add(String key, MrnUpload upload) {
        return mrnService.add(key, upload)
                .map(result -> new MrnUploadResult(result.added(), result.alreadyPresent(), result.duplicates(),
                        result.rejected()));
    }

    /** Removes an MRN: it becomes inactive and its active instances deleted. */
    @DELETE
    @Path("/{mrn}")
    @ResponseStatus(204)
    @RequiresProjectRole(ProjectRole.MANAGER)
    public Uni<Void> remove(@PathParam("key") String key, @PathParam("mrn") String mrn) {
        String reason = MrnUpload.reasonToReject(mrn);
        if (reason != null) {
            // Never repeat the value: it may be an MRN with a typo, still PHI.
            throw ProblemException.invalid("mrn", "The MRN in the address is " + reason + "; an MRN is 1 to "
                    + MrnUpload.MAX_LENGTH + " letters, digits, '-', '.' or '_'.");
        }
        // An MRN not found in a project nobody knows is that project's 404 (the same as no role in it), not the MRN's.
        return mrnService.remove(key, mrn).onFailure(MrnNotFoundException.class)
                .recoverWithUni(notFound -> knownProjects.require(key).chain(() -> Uni.createFrom().failure(notFound)));
    }

    /** A page of active MRNs (ordered by MRN) with their active instances. */
    @GET
    @RequiresProjectRole(ProjectRole.MANAGER)
    public Uni<ResultPage<MrnView>> list(@PathParam("key") String key, @QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam) {
        Paging paging = Paging.of(pageParam, sizeParam, ResultPage.DEFAULT_SIZE, ResultPage.MAX_SIZE);
        int page = paging.page();
        int size = paging.size();
        return knownProjects.require(key)
                .chain(() -> mrns.countActive(key))
                .chain(total -> mrns.activePage(key, page, size)
                        .chain(pageOfMrns -> instances.activeOfMrns(pageOfMrns.stream().map(m -> m.id).toList())
                                .map(active -> new ResultPage<>(page, size, total, views(pageOfMrns, active)))));
    }

    private static List<MrnView> views(List<Mrn> pageOfMrns, List<ResourceInstance> active) {
        Map<Long, List<MrnView.Resource>> byMrn = active.stream().collect(Collectors.groupingBy(
                ResourceInstance::mrnId, LinkedHashMap::new,
                Collectors.mapping(i -> new MrnView.Resource(i.mappingId(), i.resourceName(), i.status().name(),
                        i.protectedRecord(), i.errorClass(), i.errorMessage(), i.fetchedAt()), Collectors.toList())));
        return pageOfMrns.stream()
                .map(m -> new MrnView(m.mrn, m.fhirPatientId, byMrn.getOrDefault(m.id, List.of()))).toList();
    }
}
