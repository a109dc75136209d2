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
import org.fhirsnapshot.mrn.MrnNotFoundException;
import org.fhirsnapshot.mrn.MrnService;
import org.fhirsnapshot.mrn.MrnUpload;
import org.fhirsnapshot.mrn.ResourceInstance;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.mrn.persistence.MrnRepository.GridFilter;
import org.fhirsnapshot.mrn.persistence.MrnRepository.GridRow;
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

    /**
     * A page of active MRNs (in byte order) with their active instances, filtered by MRN prefix and by what their
     * instances say. Paged by {@code page} (offset) or by {@code after} (keyset: the MRNs after that one, the
     * {@code next} of the previous page; the cheap way through a long list).
     */
    @GET
    @RequiresProjectRole(ProjectRole.MANAGER)
    public Uni<MrnPage> list(@PathParam("key") String key, @QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam, @QueryParam("status") String status,
            @QueryParam("protected") String protectedParam, @QueryParam("mapping") String mapping,
            @QueryParam("mrn") String mrnPrefix, @QueryParam("after") String afterParam) {
        Paging paging = Paging.of(pageParam, sizeParam, ResultPage.DEFAULT_SIZE, ResultPage.MAX_SIZE);
        GridFilter filter = new GridFilter(QueryFilters.mrn("mrn", mrnPrefix, "The mrn filter (the start of an MRN)"),
                QueryFilters.status(status), QueryFilters.flag("protected", protectedParam),
                QueryFilters.mappingId(mapping));
        String after = QueryFilters.mrn("after", afterParam, "after (the MRN the page starts after)");
        if (after != null && paging.page() != 0) {
            throw ProblemException.invalid("page", "Ask for a page either by page or by after (the next of the "
                    + "previous page), not both.");
        }
        int page = paging.page();
        int size = paging.size();
        return knownProjects.require(key)
                .chain(() -> mrns.gridPage(key, filter, after, after == null ? page * size : 0, size))
                .chain(grid -> instances.activeOfMrns(grid.rows().stream().map(GridRow::id).toList())
                        .map(active -> new MrnPage(page, size, grid.total(), views(grid.rows(), active),
                                grid.more() ? grid.rows().get(grid.rows().size() - 1).mrn() : null)));
    }

    private static List<MrnView> views(List<GridRow> pageOfMrns, List<ResourceInstance> active) {
        Map<Long, List<MrnView.Resource>> byMrn = active.stream().collect(Collectors.groupingBy(
                ResourceInstance::mrnId, LinkedHashMap::new,
                Collectors.mapping(i -> new MrnView.Resource(i.id(), i.mappingId(), i.resourceName(),
                        i.status().name(), i.protectedRecord(), i.errorClass(), i.errorMessage(), i.fetchedAt()),
                        Collectors.toList())));
        return pageOfMrns.stream()
                .map(m -> new MrnView(m.mrn(), m.fhirPatientId(), byMrn.getOrDefault(m.id(), List.of()))).toList();
    }
}
