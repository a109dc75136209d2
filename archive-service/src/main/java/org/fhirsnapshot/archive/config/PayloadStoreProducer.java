package org.fhirsnapshot.archive.config;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.PayloadStores;

/** The payload store this service reads from: a directory ({@code type=filesystem}, the default) or an S3 bucket. */
public class PayloadStoreProducer {

    @Produces
    @Singleton
    PayloadStore payloadStore(PayloadStoreConfig config) {
        return PayloadStores.open(config);
    }

    /** Closes the S3 client's connections; a file-system store holds none. */
    void closePayloadStore(@Disposes PayloadStore store) {
        PayloadStores.close(store);
    }
}
