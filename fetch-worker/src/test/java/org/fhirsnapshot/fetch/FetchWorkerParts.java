package org.fhirsnapshot.fetch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fhirsnapshot.fetch.client.DependencyUnavailableException;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.fhirsnapshot.fetch.config.FetchWorkerProducers;
import org.fhirsnapshot.fetch.observability.FetchTraces;
import org.fhirsnapshot.payload.FileSystemPayloadStore;

/**
 * The worker's fetching classes wired by hand, as CDI wires them, for tests without Quarkus: a real Vert.x, the
 * real web client, the configuration with its defaults (plus overrides), a payload store in a temporary folder.
 */
final class FetchWorkerParts implements AutoCloseable {

    final Vertx vertx = Vertx.vertx();
    final FetchConfig config;
    final WebClient web;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Path storeRoot;
    final FileSystemPayloadStore store;
    final EhrAuthorization authorization;
    final RetryPolicy retries;
    final SystemCoolDown coolDown = new SystemCoolDown();
    final SharedRateLimit rateLimit;
    /** Slots of systems with a maxConcurrency: none (no config-service next to these tests). */
    final SharedConcurrency slots;
    final FhirHttpClient http;
    final PatientResolver patients;
    final SearchFetcher searches;
    final InstanceFetcher instances;

    FetchWorkerParts(Map<String, String> overrides) {
        this(overrides, (systemId, request) -> Uni.createFrom().failure(new DependencyUnavailableException(
                "no config-service next to these tests: systems with a requests-per-second limit get no permits",
                null)));
    }

    /** @param permits where permits of a system's shared rate limit come from (config-service in the worker) */
    FetchWorkerParts(Map<String, String> overrides, SharedRateLimit.PermitSource permits) {
        SmallRyeConfig smallRye = new SmallRyeConfigBuilder().withMapping(FetchConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(overrides).build();
        config = smallRye.getConfigMapping(FetchConfig.class);
        web = FetchWorkerProducers.create(vertx);
        try {
            storeRoot = Files.createTempDirectory("fetch-worker-payloads");
            store = new FileSystemPayloadStore(storeRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        authorization = new EhrAuthorization(web, config);
        retries = new RetryPolicy(config);
        rateLimit = new SharedRateLimit(permits, (systemId, pause) -> Uni.createFrom().failure(
                new DependencyUnavailableException("no config-service next to these tests: pauses stay local",
                        null)),
                vertx, registry);
        slots = new SharedConcurrency((systemId, request) -> Uni.createFrom().failure(
                new DependencyUnavailableException("no config-service next to these tests: systems with a "
                        + "maxConcurrency get no request slots", null)),
                "fetch-worker-parts", vertx, registry);
        http = new FhirHttpClient(web, vertx, authorization, config, retries, coolDown, rateLimit, registry);
        patients = new PatientResolver(http);
        searches = new SearchFetcher(http, store, vertx, config);
        instances = new InstanceFetcher(patients, searches, vertx, registry, config,
                new FetchTraces(OpenTelemetry.noop().getTracer("fetch-worker-parts")));
    }

    FetchWorkerParts() {
        this(Map.of());
    }

    /** Files in the payload store's temporary folder: partial payloads. */
    List<Path> partialPayloads() {
        try (Stream<Path> files = Files.list(storeRoot.resolve("tmp"))) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Payloads stored (outside the temporary folder). */
    List<Path> storedPayloads() {
        try (Stream<Path> files = Files.walk(storeRoot)) {
            return files.filter(Files::isRegularFile).filter(file -> !file.getParent().endsWith("tmp")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        web.close();
        vertx.closeAndAwait();
    }
}
