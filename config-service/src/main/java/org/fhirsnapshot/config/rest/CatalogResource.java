package org.fhirsnapshot.config.rest;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.config.InvalidMappingException;
import org.fhirsnapshot.config.MappingSpecParser;
import org.fhirsnapshot.config.PredefinedCatalog;

@Path("/api/catalog")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Catalog", description = "Predefined mapping resources, and the check of a mapping's spec")
public class CatalogResource {

    private final List<CatalogEntryView> predefined;
    private final MappingSpecParser parser;
    private final BodyValidator validator;

    public CatalogResource(PredefinedCatalog catalog, MappingSpecParser parser, BodyValidator validator) {
        this.predefined = catalog.entries().stream().map(CatalogEntryView::of).toList();
        this.parser = parser;
        this.validator = validator;
    }

    @GET
    @Path("predefined")
    @NonBlocking
    @Operation(summary = "The predefined mapping resources", description = "search is the relative FHIR search "
            + "without the patient; {study} is filled from params.study.")
    public List<CatalogEntryView> predefined() {
        return predefined;
    }

    /**
     * Checks a mapping's spec as the console's form is filled in: the very checks of
     * {@code POST /api/projects/{key}/mappings} ({@link MappingSpecParser#resolveSearch}, which mapping creation runs
     * too), without a name, a project or a write. Pure computation on the event loop (no I/O): cheap enough to call
     * on every pause in typing.
     */
    @POST
    @Path("validate")
    @NonBlocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Check a mapping's spec without saving anything", description = "Always 200 for a "
            + "well-formed body: {valid: true, resourceType, search} (search: the relative search the worker runs, "
            + "without the patient) or {valid: false, field, detail} with the field and detail that creating the "
            + "mapping would be refused with. A body that is not JSON, or a type other than predefined or custom, is "
            + "a 400 problem. The key clash of a project (409 on creation) is not checked.")
    public SpecValidationView validate(SpecValidationRequest request) {
        validator.validate(request);
        try {
            return SpecValidationView.of(parser.resolveSearch(request.type(), request.spec(), request.params()));
        } catch (InvalidMappingException refusal) {
            return SpecValidationView.of(refusal);
        }
    }
}
