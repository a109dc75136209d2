package org.fhirsnapshot.config.rest;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.config.PredefinedCatalog;

@Path("/api/catalog")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Catalog", description = "Predefined mapping resources")
public class CatalogResource {

    private final List<CatalogEntryView> predefined;

    public CatalogResource(PredefinedCatalog catalog) {
        this.predefined = catalog.entries().stream().map(CatalogEntryView::of).toList();
    }

    @GET
    @Path("predefined")
    @NonBlocking
    @Operation(summary = "The predefined mapping resources", description = "search is the relative FHIR search "
            + "without the patient; {study} is filled from params.study.")
    public List<CatalogEntryView> predefined() {
        return predefined;
    }
}
