package org.fhirsnapshot.config.rest;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.config.FhirSystemCheck;
import org.fhirsnapshot.config.FhirSystemDefinition;
import org.fhirsnapshot.config.FhirSystemService;
import org.fhirsnapshot.config.ResultPage;
import org.fhirsnapshot.config.SmartBackendKeys;
import org.fhirsnapshot.config.client.EhrTokenProbe;
import org.fhirsnapshot.config.client.FhirServerProbe;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.security.SecurityRoles;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/fhir-systems")
@RolesAllowed(SecurityRoles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "FHIR systems", description = "EHR endpoints: base URL, MRN identifier system, credentials, limits")
public class FhirSystemResource {

    private final FhirSystemService systems;
    private final FhirServerProbe probe;
    private final EhrTokenProbe tokenProbe;
    private final BodyValidator validator;
    @Context
    UriInfo uriInfo;

    public FhirSystemResource(FhirSystemService systems, FhirServerProbe probe, EhrTokenProbe tokenProbe,
            BodyValidator validator) {
        this.systems = systems;
        this.probe = probe;
        this.tokenProbe = tokenProbe;
        this.validator = validator;
    }

    @POST
    @Operation(summary = "Create a FHIR system", description = "Secrets (token, clientSecret, privateKey) are "
            + "write-only: responses only say hasSecret.")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<FhirSystemView>> create(FhirSystemRequest request) {
        validator.validate(request);
        FhirSystemDefinition definition = request.toDefinition();
        return systems.spareKey(definition).chain(spare -> systems.create(definition, spare))
                .map(entity -> FhirSystemView.of(entity, uriInfo.getBaseUri()))
                .map(view -> RestResponse.ResponseBuilder.<FhirSystemView>created(
                        URI.create("/api/fhir-systems/" + view.id())).entity(view).build());
    }

    @GET
    @Operation(summary = "List FHIR systems", description = PageSizes.DESCRIBED)
    public Uni<ResultPage<FhirSystemView>> list(@QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam) {
        Paging paging = Paging.of(pageParam, sizeParam, PageSizes.DEFAULT, PageSizes.MAX);
        return systems.list(paging.page(), paging.size()).map(result -> result.map(entity -> FhirSystemView.of(entity,
                uriInfo.getBaseUri())));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a FHIR system")
    public Uni<FhirSystemView> get(@PathParam("id") long id) {
        return systems.get(id).map(entity -> FhirSystemView.of(entity, uriInfo.getBaseUri()));
    }

    @GET
    @Path("{id}/jwks.json")
    @PermitAll
    @Operation(summary = "The FHIR system's public JWK Set", description = "For smart-backend systems: the public "
            + "key the EHR verifies client assertions with (register this URL with the EHR). Public, no secrets; "
            + "{\"keys\":[]} for other auth types.")
    public Uni<Map<String, Object>> jwks(@PathParam("id") long id) {
        return systems.get(id).map(entity -> SmartBackendKeys.jwks(systems.auth(entity)));
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Replace a FHIR system", description = "A secret left out is kept while auth.type stays "
            + "the same.")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<FhirSystemView> update(@PathParam("id") long id, FhirSystemRequest request) {
        validator.validate(request);
        FhirSystemDefinition definition = request.toDefinition();
        return systems.spareKey(definition).chain(spare -> systems.update(id, definition, spare))
                .map(entity -> FhirSystemView.of(entity, uriInfo.getBaseUri()));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a FHIR system", description = "409 while a project uses it.")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return systems.delete(id).map(done -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/check")
    @Operation(summary = "Check that the FHIR system answers and that a token can be had", description = "GETs "
            + "{baseUrl}/metadata (without credentials) and, for client-secret and smart-backend, obtains an access "
            + "token as the workers do (discovery included); says what happened. The token is never returned.")
    public Uni<FhirSystemCheck> check(@PathParam("id") long id) {
        return systems.get(id).flatMap(system -> Uni.combine().all()
                .unis(probe.check(system.baseUrl),
                        tokenProbe.check(InternalResource.settings(system, systems.auth(system))))
                .with((reachability, token) -> reachability.withToken(token)));
    }
}
