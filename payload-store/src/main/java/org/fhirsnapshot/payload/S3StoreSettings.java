package org.fhirsnapshot.payload;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how {@link S3PayloadStore} stores payloads. {@link #toString()} never shows the secret key.
 *
 * @param endpoint the S3 API's base URL ({@code http://127.0.0.1:9000} for MinIO); empty for AWS S3 itself
 * @param region the region requests are signed for ({@code us-east-1} suits MinIO and S3Proxy)
 * @param bucket the bucket, which must exist
 * @param prefix put before every object key ({@code payloads/}); may be empty
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO, S3Proxy)
 * @param accessKeyId with {@code secretAccessKey}, static credentials; empty for the SDK's default chain
 *        (environment, system properties, profile, container or instance role)
 * @param secretAccessKey the secret of {@code accessKeyId}
 * @param spoolDirectory where a payload is gzipped before its upload; empty for the JVM's temporary directory
 * @param multipartThreshold payloads whose gzip is larger than this many bytes are uploaded in parts
 * @param partSize bytes of each part of a multipart upload (S3 wants at least 5 MiB)
 */
public record S3StoreSettings(Optional<URI> endpoint, String region, String bucket, String prefix, boolean pathStyle,
        Optional<String> accessKeyId, Optional<String> secretAccessKey, Optional<Path> spoolDirectory,
        long multipartThreshold, long partSize) {

    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    public static final long DEFAULT_MULTIPART_THRESHOLD = 64L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;

    public S3StoreSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("the S3 payload store needs a region (s3.region)");
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("the S3 payload store needs a bucket (s3.bucket)");
        }
        prefix = prefix == null ? "" : prefix;
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new IllegalArgumentException("set both s3.access-key-id and s3.secret-access-key, or neither");
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("s3.part-size must be at least " + MIN_PART_SIZE + " bytes");
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("s3.multipart-threshold must be at least s3.part-size");
        }
    }

    /** Settings with the defaults for the spool directory and multipart uploads. */
    public static S3StoreSettings of(Optional<URI> endpoint, String region, String bucket, String prefix,
            boolean pathStyle, Optional<String> accessKeyId, Optional<String> secretAccessKey) {
        return new S3StoreSettings(endpoint, region, bucket, prefix, pathStyle, accessKeyId, secretAccessKey,
                Optional.empty(), DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE);
    }

    @Override
    public String toString() {
        return "S3StoreSettings[endpoint=" + endpoint.map(URI::toString).orElse("(AWS)") + ", region=" + region
                + ", bucket=" + bucket + ", prefix=" + prefix + ", pathStyle=" + pathStyle + ", credentials="
                + (accessKeyId.isPresent() ? "static" : "default chain") + "]";
    }
}
