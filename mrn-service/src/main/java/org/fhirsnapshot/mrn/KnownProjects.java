package org.fhirsnapshot.mrn;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.fhirsnapshot.mrn.client.ConfigServiceClient;
import org.fhirsnapshot.mrn.persistence.ProjectRepository;

/**
 * Whether a project may be read: one mrn-service has seen (MRNs added or reconciled) is known; any other one is
 * checked with config-service, so an unknown key answers 404 rather than an empty list.
 */
@ApplicationScoped
public class KnownProjects {

    private final ProjectRepository projects;
    private final ConfigServiceClient configService;

    public KnownProjects(ProjectRepository projects, ConfigServiceClient configService) {
        this.projects = projects;
        this.configService = configService;
    }

    /** Completes when the project is known; fails with {@link UnknownProjectException} (or 503) otherwise. */
    public Uni<Void> require(String projectKey) {
        return projects.seen(projectKey).chain(seen -> seen
                ? Uni.createFrom().voidItem()
                : configService.projectMappings(projectKey).replaceWithVoid());
    }
}
