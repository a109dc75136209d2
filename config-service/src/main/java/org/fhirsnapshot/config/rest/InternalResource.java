package org.fhirsnapshot.config.rest;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.config.FhirSystemAuth;
import org.fhirsnapshot.config.FhirSystemService;
import org.fhirsnapshot.config.MappingService;
import org.fhirsnapshot.config.persistence.FhirSystemEntity;
import org.fhirsnapshot.config.persistence.MappingEntity;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.MappingDefinition;
import org.fhirsnapshot.contracts.internal.ProjectMappings;

/**
 * Service-to-service calls (sync-service, fetch-worker). The FHIR system settings carry secrets: this path must not
 * be exposed publicly, and service authentication is to come (issue 6).
 */
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal", description = "For other FHIR Snapshot services only")
public class InternalResource {

    private final MappingService mappings;
    private final FhirSystemService systems;

    public InternalResource(MappingService mappings, FhirSystemService systems) {
        this.mappings = mappings;
        this.systems = systems;
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
        return systems.get(id).map(InternalResource::settings);
    }

    static MappingDefinition definition(MappingEntity mapping) {
        return new MappingDefinition(mapping.id, mapping.revision, mapping.name, mapping.key, mapping.type,
                mapping.spec, mapping.params, mapping.resourceType, mapping.query);
    }

    static FhirSystemSettings settings(FhirSystemEntity system) {
        FhirSystemAuth auth = system.auth();
        return new FhirSystemSettings(system.id, system.name, system.baseUrl, system.patientIdentifierSystem,
                new FhirSystemSettings.AuthSettings(auth.type(), auth.token(), auth.tokenUrl(), auth.clientId(),
                        auth.clientSecret(), auth.scope(), auth.privateKey(), auth.keyId(),
                        auth.algorithm()),
                new FhirSystemSettings.Limits(system.maxConcurrency, system.requestsPerSecond, system.pageSize));
    }
}
