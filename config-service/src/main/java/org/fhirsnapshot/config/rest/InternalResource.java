package org.fhirsnapshot.config.rest;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.config.FhirSystemAuth;
import org.fhirsnapshot.config.FhirSystemService;
import org.fhirsnapshot.config.MappingService;
import org.fhirsnapshot.config.RequestRateLimiter;
import org.fhirsnapshot.config.RequestSlotAllocator;
import org.fhirsnapshot.config.persistence.FhirSystemEntity;
import org.fhirsnapshot.config.persistence.MappingEntity;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.MappingDefinition;
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.contracts.internal.ProjectMappings;
import org.fhirsnapshot.contracts.internal.RequestPermits;
import org.fhirsnapshot.contracts.internal.SlotGrant;
import org.fhirsnapshot.contracts.internal.SlotRequest;
import org.fhirsnapshot.contracts.internal.SlowDown;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.SecurityRoles;

/**
 * Service-to-service calls (sync-service, fetch-worker). The FHIR system settings carry secrets: this path must not
 * be exposed publicly, and service authentication is to come (issue 6).
 */
@Path("/internal")
@RolesAllowed(SecurityRoles.SERVICE)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal", description = "For other FHIR Snapshot services only")
public class InternalResource {

    private final MappingService mappings;
    private final FhirSystemService systems;
    private final RequestRateLimiter rateLimiter;
    private final RequestSlotAllocator slots;

    public InternalResource(MappingService mappings, FhirSystemService systems, RequestRateLimiter rateLimiter,
            RequestSlotAllocator slots) {
        this.mappings = mappings;
        this.systems = systems;
        this.rateLimiter = rateLimiter;
        this.slots = slots;
    }

    @GET
    @Path("projects/{key}/mappings")
    @Operation(summary = "A project's FHIR system and active mappings, resolved")
    public Uni<ProjectMappings> projectMappings(@PathParam("key") String key) {
        return mappings.activeMappings(key).map(found -> new ProjectMappings(found.project().key,
                found.project().fhirSystemId, found.project().enabled,
                found.mappings().stream().map(InternalResource::definition).toList()));
    }

    @GET
    @Path("fhir-systems/{id}")
    @Operation(summary = "A FHIR system's settings, secrets included")
    public Uni<FhirSystemSettings> fhirSystemSettings(@PathParam("id") long id) {
        return systems.get(id).map(system -> settings(system, systems.auth(system)));
    }

    /**
     * Permits for requests to the FHIR system, from the token bucket that every fetch-worker replica shares.
     * {@code @Blocking}: Bucket4j's PostgreSQL proxy manager is JDBC (a {@code select … for update} transaction), so
     * this runs on a worker thread, never on the event loop.
     */
    /**
     * A worker met a 429 (or its backoff) from the FHIR system: every replica's permits wait until the pause ends.
     * {@code @Blocking}: JDBC, like the permits it holds back.
     */
    @POST
    @Path("fhir-systems/{id}/slow-down")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Pause a FHIR system's request permits", description = "After a 429 with Retry-After: no "
            + "permit is granted to any worker for millis from now (a longer pause already set stays).")
    public void slowDown(@PathParam("id") long id, SlowDown request) {
        if (request == null || request.millis() < 1 || request.millis() > RequestRateLimiter.MAX_PAUSE_MILLIS) {
            throw ProblemException.invalid("millis",
                    "millis must be between 1 and " + RequestRateLimiter.MAX_PAUSE_MILLIS
                            + " (the pause in milliseconds)");
        }
        rateLimiter.slowDown(id, request.millis());
    }

    @POST
    @Path("fhir-systems/{id}/request-permits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Take request permits for a FHIR system", description = "Grants up to wanted permits "
            + "(one per HTTP request to the EHR) from the system's shared token bucket: capacity and refill per "
            + "second = requestsPerSecond. When none is granted, retryAfterMillis says when to ask again.")
    public PermitGrant requestPermits(@PathParam("id") long id, RequestPermits request) {
        if (request == null) {
            throw new ProblemException(400, "Invalid request", "The request needs a JSON body {wanted, "
                    + "requestsPerSecond}.");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (request.wanted() < 1 || request.wanted() > RequestRateLimiter.MAX_WANTED) {
            errors.add(new Problem.FieldError("wanted", "must be between 1 and " + RequestRateLimiter.MAX_WANTED
                    + " (permits wanted now), was " + request.wanted()));
        }
        if (request.requestsPerSecond() < 1) {
            errors.add(new Problem.FieldError("requestsPerSecond", "must be at least 1 (the system's limit; a "
                    + "system without a limit needs no permits), was " + request.requestsPerSecond()));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "Invalid request", errors.stream()
                    .map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; ")),
                    errors);
        }
        return rateLimiter.take(id, request.wanted(), request.requestsPerSecond());
    }

    /**
     * Request slots (concurrent requests in flight) toward the FHIR system for one worker replica, shared by every
     * replica under the system's maximum of concurrent requests. Reactive: one PostgreSQL transaction on the event loop.
     */
    @POST
    @Path("fhir-systems/{id}/request-slots")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Take, renew or release request slots for a FHIR system", description = "Grants the holder "
            + "(a worker replica) up to wanted slots, its fair share of maxConcurrency among the holders that want "
            + "some, never more than the others leave free. The grant is a lease of leaseMillis: renew every third of "
            + "it; wanted 0 releases. slots may be below inUse: start no new request until in flight < slots.")
    public Uni<SlotGrant> requestSlots(@PathParam("id") long id, SlotRequest request) {
        if (request == null) {
            throw new ProblemException(400, "Invalid request", "The request needs a JSON body {holder, wanted, "
                    + "inUse, maxConcurrency}.");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (request.holder() == null || request.holder().isBlank()
                || request.holder().length() > RequestSlotAllocator.MAX_HOLDER_LENGTH) {
            errors.add(new Problem.FieldError("holder", "must be the worker replica's id, 1 to "
                    + RequestSlotAllocator.MAX_HOLDER_LENGTH + " characters and not blank"));
        }
        if (request.wanted() < 0 || request.wanted() > RequestSlotAllocator.MAX_WANTED) {
            errors.add(new Problem.FieldError("wanted", "must be between 0 (release) and "
                    + RequestSlotAllocator.MAX_WANTED + " (slots wanted now), was " + request.wanted()));
        }
        if (request.inUse() < 0 || request.inUse() > RequestSlotAllocator.MAX_WANTED) {
            errors.add(new Problem.FieldError("inUse", "must be between 0 and " + RequestSlotAllocator.MAX_WANTED
                    + " (requests in flight now), was " + request.inUse()));
        }
        if (request.maxConcurrency() < 1) {
            errors.add(new Problem.FieldError("maxConcurrency", "must be at least 1 (the system's limit as the "
                    + "worker read it), was " + request.maxConcurrency()));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "Invalid request", errors.stream()
                    .map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; ")),
                    errors);
        }
        return slots.renew(id, request.holder(), request.wanted(), request.inUse(), request.maxConcurrency());
    }

    static MappingDefinition definition(MappingEntity mapping) {
        return new MappingDefinition(mapping.id, mapping.revision, mapping.name, mapping.key, mapping.type,
                mapping.spec, mapping.params, mapping.resourceType, mapping.query);
    }

    /** The settings of a system with its auth decrypted ({@code FhirSystemService.auth}). */
    static FhirSystemSettings settings(FhirSystemEntity system, FhirSystemAuth auth) {
        return new FhirSystemSettings(system.id, system.name, system.baseUrl, system.patientIdentifierSystem,
                new FhirSystemSettings.AuthSettings(auth.type(), auth.token(), auth.tokenUrl(), auth.clientId(),
                        auth.clientSecret(), auth.scope(), auth.privateKey(), auth.keyId(),
                        auth.algorithm()),
                new FhirSystemSettings.Limits(system.maxConcurrency, system.requestsPerSecond, system.pageSize),
                // 0 = the worker's default.
                new FhirSystemSettings.Timeouts(orZero(system.connectTimeoutSeconds),
                        orZero(system.readTimeoutSeconds), orZero(system.totalTimeoutSeconds)));
    }

    private static int orZero(Integer seconds) {
        return seconds == null ? 0 : seconds;
    }
}
