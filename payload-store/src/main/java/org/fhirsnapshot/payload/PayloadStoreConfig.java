package org.fhirsnapshot.payload;

import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the payloads are: a directory (the default) or an S3-compatible bucket; the shape of the
 * {@code fhir-snapshot.payload-store.*} configuration of every service that reads or writes payloads. Each service
 * declares it as its own {@code @ConfigMapping(prefix = "fhir-snapshot.payload-store")} interface extending this one,
 * and opens the store with {@link PayloadStores#open}.
 */
public interface PayloadStoreConfig {

    /** Which store: {@code filesystem} (a directory) or {@code s3} (an S3-compatible bucket). */
    @WithDefault("filesystem")
    Type type();

    /** The directory of the file-system payload store (a volume shared by fetch-worker and archive-service). */
    @WithDefault("./payloads")
    String directory();

    /** The S3-compatible object store, used when {@code type=s3}. */
    S3 s3();

    enum Type {
        FILESYSTEM, S3
    }

    interface S3 {

        /** The S3 API's base URL ({@code http://127.0.0.1:9000} for MinIO); unset for AWS S3 itself. */
        Optional<URI> endpoint();

        /** The region requests are signed for ({@code us-east-1} suits MinIO and S3Proxy). */
        @WithDefault("us-east-1")
        String region();

        /** The bucket, which must exist; required when {@code type=s3}. */
        Optional<String> bucket();

        /** Put before every object key (e.g. {@code payloads/}); none by default. */
        Optional<String> prefix();

        /** Path-style requests ({@code http://host/bucket/key}): true for MinIO and S3Proxy. */
        @WithDefault("false")
        boolean pathStyle();

        /** With the secret access key, static credentials; unset for the AWS SDK's default credentials chain. */
        Optional<String> accessKeyId();

        /** The secret of the access key id (never logged). */
        Optional<String> secretAccessKey();

        /** Where a payload is gzipped before its upload (writers only); the JVM's temporary directory by default. */
        Optional<String> spoolDirectory();

        /** Payloads whose gzip is larger than this many bytes are uploaded in parts. */
        @WithDefault("67108864")
        long multipartThreshold();

        /** Bytes of each part of a multipart upload (at least 5 MiB). */
        @WithDefault("16777216")
        long partSize();

        /** These settings for {@code S3PayloadStore}; fails when no bucket is set. */
        default S3StoreSettings settings() {
            String name = bucket().orElseThrow(() -> new IllegalStateException(
                    "fhir-snapshot.payload-store.s3.bucket is required with fhir-snapshot.payload-store.type=s3"));
            return new S3StoreSettings(endpoint(), region(), name, prefix().orElse(""), pathStyle(), accessKeyId(),
                    secretAccessKey(), spoolDirectory().map(Path::of), multipartThreshold(), partSize());
        }
    }
}
