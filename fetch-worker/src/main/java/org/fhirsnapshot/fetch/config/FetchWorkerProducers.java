package org.fhirsnapshot.fetch.config;

import io.vertx.core.http.HttpVersion;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.fhirsnapshot.fetch.EhrTimeouts;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.PayloadStores;

/** The payload store and the HTTP client toward the EHRs. */
@ApplicationScoped
public class FetchWorkerProducers {

    /** The configured payload store: a directory ({@code type=filesystem}, the default) or an S3 bucket. */
    @Produces
    @ApplicationScoped
    PayloadStore payloadStore(PayloadStoreConfig config) {
        return PayloadStores.open(config);
    }

    /** Closes the S3 client's connections; a file-system store holds none. */
    void closePayloadStore(@Disposes PayloadStore store) {
        PayloadStores.close(store);
    }

    @Produces
    @ApplicationScoped
    WebClient ehrWebClient(Vertx vertx) {
        return create(vertx);
    }

    void closeEhrWebClient(@Disposes WebClient client) {
        client.close();
    }

    /**
     * The client toward EHRs: HTTP/1.1, keep-alive, no redirects (a redirect could leave the EHR's origin). Its own
     * connect timeout is the ceiling {@link EhrTimeouts#MAX_CONNECT}: each request sets the connect timeout of its
     * FHIR system.
     */
    public static WebClient create(Vertx vertx) {
        WebClientOptions options = new WebClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setConnectTimeout((int) EhrTimeouts.MAX_CONNECT.toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(32)
                .setFollowRedirects(false)
                .setTryUseCompression(true)
                .setUserAgent("fhir-snapshot-fetch-worker")
                // Observability (issue 8): no client span (its URL would hold identifier=MRN or patient=id) and no
                // traceparent header toward the EHR, which has no use for our trace ids.
                .setTracingPolicy(TracingPolicy.IGNORE);
        return WebClient.create(vertx, options);
    }
}
