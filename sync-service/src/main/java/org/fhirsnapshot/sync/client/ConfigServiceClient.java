package org.fhirsnapshot.sync.client;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.contracts.internal.ProjectMappings;

/**
 * What sync-service asks config-service. Timeouts come from {@code quarkus.rest-client.config-service.*}; a read
 * that could not reach config-service is retried twice at once (it is idempotent), then reported as
 * {@link DownstreamUnavailableException}.
 */
@ApplicationScoped
public class ConfigServiceClient {

    private static final String SERVICE = "config-service";

    private final ConfigServiceRestClient client;

    public ConfigServiceClient(@RestClient ConfigServiceRestClient client) {
        this.client = client;
    }

    /**
     * The project's FHIR system and active mappings.
     *
     * @throws ProjectNotFoundException (as the Uni's failure) when config-service does not know the project or it is
     *         disabled
     */
    @Retry(maxRetries = 2, delay = 200, jitter = 100, retryOn = DownstreamUnavailableException.class)
    public Uni<ProjectMappings> activeMappings(String projectKey) {
        return client.mappings(projectKey)
                .onFailure(e -> e instanceof WebApplicationException web && web.getResponse().getStatus() == 404)
                .transform(e -> new ProjectNotFoundException(projectKey, false))
                .onFailure().transform(e -> DownstreamFailures.translate(SERVICE, "the project's mappings", e))
                .invoke(mappings -> {
                    if (!mappings.enabled()) {
                        throw new ProjectNotFoundException(projectKey, true);
                    }
                });
    }
}
