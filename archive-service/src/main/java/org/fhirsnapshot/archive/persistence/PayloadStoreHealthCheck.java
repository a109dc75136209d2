package org.fhirsnapshot.archive.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.fhirsnapshot.archive.config.PayloadStoreConfig;
import org.fhirsnapshot.payload.PayloadStore;

/**
 * Ready only while the payload store can be read: its directory exists and is readable (a shared volume may be
 * missing), or its bucket answers a HEAD request with the configured credentials. Health checks run on a worker
 * thread, where the S3 client may block.
 */
@Readiness
@ApplicationScoped
public class PayloadStoreHealthCheck implements HealthCheck {

    private final PayloadStore store;
    private final PayloadStoreConfig config;

    public PayloadStoreHealthCheck(PayloadStore store, PayloadStoreConfig config) {
        this.store = store;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean available;
        try {
            store.checkAvailable();
            available = true;
        } catch (IOException | RuntimeException e) {
            available = false;
        }
        return HealthCheckResponse.named("payload-store")
                .withData("type", config.type().name().toLowerCase(Locale.ROOT))
                .status(available).build();
    }
}
