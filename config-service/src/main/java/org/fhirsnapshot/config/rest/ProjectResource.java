package org.fhirsnapshot.config.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import org.fhirsnapshot.config.ProjectService;
import org.fhirsnapshot.config.ResultPage;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.Caller;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;
import org.fhirsnapshot.security.SecurityRoles;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/projects")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Projects", description = "Cohorts: one FHIR system, its mapping resources, its MRNs")
public class ProjectResource {

    private final ProjectService projects;
    private final BodyValidator validator;
    private final SecurityIdentity identity;

    public ProjectResource(ProjectService projects, BodyValidator validator, SecurityIdentity identity) {
        this.projects = projects;
        this.validator = validator;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(SecurityRoles.ADMIN)
    @Operation(summary = "Create a project", description = "key is [a-z0-9-]{1,64}; a taken key is a 409.")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<ProjectView>> create(ProjectRequest request) {
        validator.validate(request);
        if (request.key() == null) {
            throw ProblemException.invalid("key", "key is required: 1 to 64 lower-case letters, digits or '-'.");
        }
        return projects.create(request.key(), request.name(), request.fhirSystemId(), request.enabled())
                .map(ProjectView::of)
                .map(view -> RestResponse.ResponseBuilder.<ProjectView>created(
                        URI.create("/api/projects/" + view.key())).entity(view).build());
    }

    @GET
    @Operation(summary = "List the projects the caller has a role in", description = "All of them for an admin, "
            + "by key. " + PageSizes.DESCRIBED)
    public Uni<ResultPage<ProjectView>> list(@QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam) {
        Paging paging = Paging.of(pageParam, sizeParam, PageSizes.DEFAULT, PageSizes.MAX);
        return projects.list(Caller.of(identity), paging.page(), paging.size())
                .map(result -> result.map(ProjectView::of));
    }

    @GET
    @Path("{key}")
    @RequiresProjectRole(ProjectRole.READER)
    @Operation(summary = "Get a project")
    public Uni<ProjectView> get(@PathParam("key") String key) {
        return projects.get(key).map(ProjectView::of);
    }

    @PUT
    @Path("{key}")
    @RolesAllowed(SecurityRoles.ADMIN)
    @Operation(summary = "Update a project's name, FHIR system and enabled flag", description = "The key cannot "
            + "change.")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ProjectView> update(@PathParam("key") String key, ProjectRequest request) {
        validator.validate(request);
        if (request.key() != null && !request.key().equals(key)) {
            throw ProblemException.invalid("key", "A project's key cannot change: leave key out or send '" + key
                    + "'.");
        }
        return projects.update(key, request.name(), request.fhirSystemId(), request.enabled())
                .map(ProjectView::of);
    }
}
