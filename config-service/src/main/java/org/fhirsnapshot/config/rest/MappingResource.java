package org.fhirsnapshot.config.rest;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.config.MappingService;
import org.fhirsnapshot.config.ResultPage;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/projects/{key}/mappings")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Mapping resources", description = "What to fetch for every MRN of a project")
public class MappingResource {

    private final MappingService mappings;
    private final BodyValidator validator;

    public MappingResource(MappingService mappings, BodyValidator validator) {
        this.mappings = mappings;
        this.validator = validator;
    }

    @POST
    @RequiresProjectRole(ProjectRole.MANAGER)
    @Operation(summary = "Add a mapping resource", description = "type predefined: spec is a catalog key; type "
            + "custom: spec is a relative search {Type}?{params} without the patient. An invalid spec is a 400 "
            + "saying why; a key already used by an active mapping of the project is a 409.")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<MappingView>> create(@PathParam("key") String key, MappingRequest request) {
        validator.validate(request);
        return mappings.create(key, request.toDraft()).map(mapping -> MappingView.of(key, mapping))
                .map(view -> RestResponse.ResponseBuilder.<MappingView>created(
                        URI.create("/api/projects/" + key + "/mappings/" + view.id())).entity(view).build());
    }

    @GET
    @RequiresProjectRole(ProjectRole.READER)
    @Operation(summary = "List a project's active mapping resources", description = "By id. "
            + PageSizes.DESCRIBED)
    public Uni<ResultPage<MappingView>> list(@PathParam("key") String key,
            @QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam) {
        Paging paging = Paging.of(pageParam, sizeParam, PageSizes.DEFAULT, PageSizes.MAX);
        return mappings.list(key, paging.page(), paging.size())
                .map(result -> result.map(mapping -> MappingView.of(key, mapping)));
    }

    @GET
    @Path("{id}")
    @RequiresProjectRole(ProjectRole.READER)
    @Operation(summary = "Get an active mapping resource")
    public Uni<MappingView> get(@PathParam("key") String key, @PathParam("id") long id) {
        return mappings.get(key, id).map(mapping -> MappingView.of(key, mapping));
    }

    @PUT
    @Path("{id}")
    @RequiresProjectRole(ProjectRole.MANAGER)
    @Operation(summary = "Replace a mapping resource", description = "The revision goes up when name, type, spec "
            + "or params change.")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<MappingView> update(@PathParam("key") String key, @PathParam("id") long id, MappingRequest request) {
        validator.validate(request);
        return mappings.update(key, id, request.toDraft()).map(mapping -> MappingView.of(key, mapping));
    }

    @DELETE
    @Path("{id}")
    @RequiresProjectRole(ProjectRole.MANAGER)
    @Operation(summary = "Delete a mapping resource", description = "It is kept for the audit trail but no longer "
            + "listed; its instances become deleted.")
    public Uni<RestResponse<Void>> delete(@PathParam("key") String key, @PathParam("id") long id) {
        return mappings.delete(key, id).map(done -> RestResponse.noContent());
    }
}
