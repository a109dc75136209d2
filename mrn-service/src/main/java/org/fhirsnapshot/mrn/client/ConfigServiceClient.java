package org.fhirsnapshot.mrn.client;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.contracts.internal.ProjectMappings;
import org.fhirsnapshot.mrn.ConfigServiceUnavailableException;
import org.fhirsnapshot.mrn.UnknownProjectException;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.jboss.logging.Logger;

/**
 * What mrn-service asks config-service, in domain terms: a 404 means the project does not exist
 * ({@link UnknownProjectException}); any other failure, after a retry, and a timeout mean config-service cannot
 * answer now ({@link ConfigServiceUnavailableException}). Nothing is cached yet: every call asks.
 */
@ApplicationScoped
public class ConfigServiceClient {

    private static final Logger LOG = Logger.getLogger(ConfigServiceClient.class);

    private final ConfigServiceRestClient rest;
    private final MrnServiceConfig.ConfigService settings;

    public ConfigServiceClient(@RestClient ConfigServiceRestClient rest, MrnServiceConfig config) {
        this.rest = rest;
        this.settings = config.configService();
    }

    /** The project's FHIR system and active mappings; fails when the project is unknown or cannot be checked. */
    public Uni<ProjectMappings> projectMappings(String projectKey) {
        return Uni.createFrom().deferred(() -> rest.mappings(projectKey))
                .onFailure(failure -> !isNotFound(failure)).retry().atMost(settings.retries())
                .ifNoItem().after(settings.timeout()).fail()
                .onFailure().transform(failure -> {
                    if (isNotFound(failure)) {
                        return new UnknownProjectException(projectKey);
                    }
                    LOG.warnf("config-service could not answer for project %s: %s", projectKey, failure.toString());
                    return new ConfigServiceUnavailableException(projectKey);
                });
    }

    private static boolean isNotFound(Throwable failure) {
        return failure instanceof WebApplicationException web && web.getResponse() != null
                && web.getResponse().getStatus() == 404;
    }
}
