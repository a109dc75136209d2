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
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.contracts.internal.RequestPermits;
import org.fhirsnapshot.contracts.internal.SlotGrant;
import org.fhirsnapshot.contracts.internal.SlotRequest;
import org.fhirsnapshot.contracts.internal.SlowDown;

/**
 * config-service as the worker sees it: a FHIR system's settings, cached per id for a short while (cache
 * {@code fhir-system-settings}, {@code quarkus.cache.caffeine."fhir-system-settings".expire-after-write}), with a
 * timeout, quick retries, and statuses translated (404: {@link FhirSystemNotFoundException}); request permits of a
 * system's shared rate limit. The settings hold
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

    /**
     * Permits to send requests to a FHIR system now ({@code POST /internal/fhir-systems/{id}/request-permits}). No
     * retries here: {@code SharedRateLimit} asks again with its own backoff. 404:
     * {@link FhirSystemNotFoundException}; unavailable: {@link DependencyUnavailableException}.
     */
    public Uni<PermitGrant> requestPermits(long id, RequestPermits request) {
        return rest.requestPermits(id, request).onFailure().transform(failure -> DependencyFailures.status(
                failure) == 404
                        ? new FhirSystemNotFoundException(id)
                        : DependencyFailures.translate("config-service", failure));
    }

    /**
     * Shares a pause the FHIR system asked for ({@code POST /internal/fhir-systems/{id}/slow-down}); no retries (the
     * next 429 reports again). 404: {@link FhirSystemNotFoundException}; unavailable:
     * {@link DependencyUnavailableException}.
     */
    public Uni<Void> slowDown(long id, SlowDown pause) {
        return rest.slowDown(id, pause).onFailure().transform(failure -> DependencyFailures.status(failure) == 404
                ? new FhirSystemNotFoundException(id)
                : DependencyFailures.translate("config-service", failure));
    }

    /**
     * Takes, renews or releases this worker's request slots of a FHIR system's shared maximum of concurrent requests
     * ({@code POST /internal/fhir-systems/{id}/request-slots}). No retries here: {@code SharedConcurrency} asks again
     * with its own backoff. 404: {@link FhirSystemNotFoundException}; unavailable: {@link DependencyUnavailableException}.
     */
    public Uni<SlotGrant> requestSlots(long id, SlotRequest request) {
        return rest.requestSlots(id, request).onFailure().transform(failure -> DependencyFailures.status(
                failure) == 404
                        ? new FhirSystemNotFoundException(id)
                        : DependencyFailures.translate("config-service", failure));
    }
}
