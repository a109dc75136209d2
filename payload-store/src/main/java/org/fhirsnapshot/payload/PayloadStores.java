package org.fhirsnapshot.payload;

import java.nio.file.Path;

/** Opens and closes the configured payload store: the one place that turns {@link PayloadStoreConfig} into a store. */
public final class PayloadStores {

    private PayloadStores() {
    }

    /** A directory ({@code type=filesystem}, the default) or an S3 bucket ({@code type=s3}). */
    public static PayloadStore open(PayloadStoreConfig config) {
        return switch (config.type()) {
            case FILESYSTEM -> new FileSystemPayloadStore(Path.of(config.directory()));
            case S3 -> S3PayloadStore.connect(config.s3().settings());
        };
    }

    /** Closes the S3 client's connections; a file-system store holds none. */
    public static void close(PayloadStore store) {
        if (store instanceof S3PayloadStore s3) {
            s3.close();
        }
    }
}
