package org.fhirsnapshot.archive.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.fhirsnapshot.archive.config.PayloadStoreConfig;

/** Ready only while the payload store's directory can be read (a shared volume may be missing). */
@Readiness
@ApplicationScoped
public class PayloadStoreHealthCheck implements HealthCheck {

    private final PayloadStoreConfig config;

    public PayloadStoreHealthCheck(PayloadStoreConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        Path directory = Path.of(config.directory());
        boolean readable = Files.isDirectory(directory) && Files.isReadable(directory);
        return HealthCheckResponse.named("payload-store").status(readable).build();
    }
}
