package org.fhirsnapshot.mrn.rest;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.mrn.SweepReport;
import org.fhirsnapshot.mrn.SweepService;
import org.fhirsnapshot.security.SecurityRoles;

/** The sweep, called by sync-service's sweeper (about every 30 s). No body. */
@Path("/internal/sweep")
@RolesAllowed(SecurityRoles.SERVICE)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal", description = "For other FHIR Snapshot services only")
public class InternalSweepResource {

    private final SweepService sweepService;

    public InternalSweepResource(SweepService sweepService) {
        this.sweepService = sweepService;
    }

    /** Expired leases back to pending, long-unclaimed publications made publishable again; by project. */
    @POST
    public Uni<SweepReport> sweep() {
        return sweepService.sweep();
    }
}
