package org.fhirsnapshot.mrn.rest;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.ReleaseRequest;
import org.fhirsnapshot.contracts.internal.ReleaseResult;
import org.fhirsnapshot.mrn.ClaimService;
import org.fhirsnapshot.security.SecurityRoles;

/** Service-to-service calls on instances: fetch-worker claims, and gives back the claims it will not finish. */
@Path("/internal/instances")
@RolesAllowed(SecurityRoles.SERVICE)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Internal", description = "For other FHIR Snapshot services only")
public class InternalInstanceResource {

    private final ClaimService claimService;

    public InternalInstanceResource(ClaimService claimService) {
        this.claimService = claimService;
    }

    /** Claims the named instances that are still pending; the others are absent from the answer. */
    @POST
    @Path("/claim")
    public Uni<List<ClaimedInstance>> claim(ClaimRequest request) {
        return claimService.claim(request);
    }

    /**
     * Gives back claims a stopping worker will not finish: instances still fetching under the named claim token go
     * back to pending (and are published again at once); the others are left alone.
     */
    @POST
    @Path("/release")
    public Uni<ReleaseResult> release(ReleaseRequest request) {
        return claimService.release(request);
    }
}
