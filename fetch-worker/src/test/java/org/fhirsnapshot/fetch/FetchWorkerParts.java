package org.fhirsnapshot.fetch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.fhirsnapshot.fetch.config.FetchWorkerProducers;
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
    final FileSystemPayloadStore store;
    final EhrAuthorization authorization;
    final RetryPolicy retries;
    final SystemCoolDown coolDown = new SystemCoolDown();
    final FhirHttpClient http;
    final PatientResolver patients;
    final SearchFetcher searches;
    final InstanceFetcher instances;

    FetchWorkerParts(Map<String, String> overrides) {
        SmallRyeConfig smallRye = new SmallRyeConfigBuilder().withMapping(FetchConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(overrides).build();
        config = smallRye.getConfigMapping(FetchConfig.class);
        web = FetchWorkerProducers.ehrWebClient(vertx, config.connectTimeout().toMillis());
        try {
            store = new FileSystemPayloadStore(Files.createTempDirectory("fetch-worker-payloads"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        authorization = new EhrAuthorization(web, config);
        retries = new RetryPolicy(config);
        http = new FhirHttpClient(web, vertx, authorization, config, retries, coolDown);
        patients = new PatientResolver(http);
        searches = new SearchFetcher(http, config);
        instances = new InstanceFetcher(patients, searches, store, vertx, registry, config);
    }

    FetchWorkerParts() {
        this(Map.of());
    }

    @Override
    public void close() {
        web.close();
        vertx.closeAndAwait();
    }
}
