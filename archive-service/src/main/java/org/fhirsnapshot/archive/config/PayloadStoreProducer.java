package org.fhirsnapshot.archive.config;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.S3PayloadStore;

/** The payload store this service reads from: a directory ({@code type=filesystem}, the default) or an S3 bucket. */
public class PayloadStoreProducer {

    @Produces
    @Singleton
    PayloadStore payloadStore(PayloadStoreConfig config) {
        return switch (config.type()) {
            case FILESYSTEM -> new FileSystemPayloadStore(Path.of(config.directory()));
            case S3 -> S3PayloadStore.connect(config.s3().settings());
        };
    }

    /** Closes the S3 client's connections; a file-system store holds none. */
    void closePayloadStore(@Disposes PayloadStore store) {
        if (store instanceof S3PayloadStore s3) {
            s3.close();
        }
    }
}
