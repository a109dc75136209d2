package org.fhirsnapshot.mrn.rest;

import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.mrn.KnownProjects;
import org.fhirsnapshot.mrn.Mrn;
import org.fhirsnapshot.mrn.MrnService;
import org.fhirsnapshot.mrn.MrnUpload;
import org.fhirsnapshot.mrn.ResourceInstance;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.mrn.persistence.MrnRepository;
import org.jboss.resteasy.reactive.ResponseStatus;

/** A project's MRNs: upload, remove, list with their active instances. */
@Path("/api/projects/{key}/mrns")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "MRNs", description = "The patients of a project, by MRN")
public class MrnResource {

    private final MrnService mrnService;
    private final MrnRepository mrns;
    private final InstanceRepository instances;
    private final KnownProjects knownProjects;

    public MrnResource(MrnService mrnService, MrnRepository mrns, InstanceRepository instances,
            KnownProjects knownProjects) {
        this.mrnService = mrnService;
        this.mrns = mrns;
        this.instances = instances;
        this.knownProjects = knownProjects;
    }

    /** Adds MRNs sent as {@code {"mrns": [...]}}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<MrnUploadResult> addJson(@PathParam("key") String key, MrnUploadRequest request) {
        List<String> values = request == null || request.mrns() == null ? List.of() : request.mrns();
        return add(key, MrnUpload.ofValues(values));
    }

    /** Adds MRNs sent as text, one a line; blank lines are ignored. */
    @POST
    @Consumes(MediaType.TEXT_PLAIN)
    public Uni<MrnUploadResult> addText(@PathParam("key") String key, String body) {
        return add(key, MrnUpload.ofText(body));
    }

    private Uni<MrnUploadResult> add(String key, MrnUpload upload) {
        return mrnService.add(key, upload)
                .map(result -> new MrnUploadResult(result.added(), result.alreadyPresent(), result.rejected()));
    }

    /** Removes an MRN: it becomes inactive and its active instances deleted. */
    @DELETE
    @Path("/{mrn}")
    @ResponseStatus(204)
    public Uni<Void> remove(@PathParam("key") String key, @PathParam("mrn") String mrn) {
        return mrnService.remove(key, mrn);
    }

    /** A page of active MRNs (ordered by MRN) with their active instances. */
    @GET
    public Uni<ResultPage<MrnView>> list(@PathParam("key") String key,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(1000) int size) {
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
