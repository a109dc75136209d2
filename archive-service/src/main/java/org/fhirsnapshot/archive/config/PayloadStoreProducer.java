package org.fhirsnapshot.archive.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;

/** The payload store this service reads from. */
public class PayloadStoreProducer {

    @Produces
    @Singleton
    PayloadStore payloadStore(PayloadStoreConfig config) {
        return new FileSystemPayloadStore(Path.of(config.directory()));
    }
}
