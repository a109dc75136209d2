package org.fhirsnapshot.fetch.client;

import io.quarkus.cache.CacheResult;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;

/**
 * config-service as the worker sees it: a FHIR system's settings, cached per id for a short while (cache
 * {@code fhir-system-settings}, {@code quarkus.cache.caffeine."fhir-system-settings".expire-after-write}), with a
 * timeout, quick retries, and statuses translated (404: {@link FhirSystemNotFoundException}). The settings hold
 * credentials: they are never logged.
 */
@ApplicationScoped
public class ConfigServiceClient {

    public static final String SETTINGS_CACHE = "fhir-system-settings";

    private final ConfigServiceRestClient rest;

    public ConfigServiceClient(@RestClient ConfigServiceRestClient rest) {
        this.rest = rest;
    }

    @CacheResult(cacheName = SETTINGS_CACHE)
    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 3, delay = 250, jitter = 100, retryOn = {DependencyUnavailableException.class,
            org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class})
    @ExponentialBackoff(maxDelay = 4000)
    public Uni<FhirSystemSettings> fhirSystem(long id) {
        return rest.fhirSystem(id).onFailure().transform(failure -> DependencyFailures.status(failure) == 404
                ? new FhirSystemNotFoundException(id)
                : DependencyFailures.translate("config-service", failure));
    }
}
