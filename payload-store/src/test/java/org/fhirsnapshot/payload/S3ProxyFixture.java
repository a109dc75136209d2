package org.fhirsnapshot.payload;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.fhirsnapshot.infra.S3ProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The tests' view of the real S3 API server of this test JVM (local-infra's {@link S3ProxyServer}: S3Proxy in a child
 * JVM): fresh buckets, store settings on them, and an S3 client for looking behind the store's back.
 */
final class S3ProxyFixture {

    static final String SECRET_ACCESS_KEY = S3ProxyServer.SECRET_ACCESS_KEY;

    private static S3ProxyFixture shared;

    private final URI endpoint;
    private final S3Client client;

    private S3ProxyFixture(URI endpoint) {
        this.endpoint = endpoint;
        this.client = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder()).endpointOverride(endpoint)
                .region(Region.of(S3ProxyServer.REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY)))
                .build();
    }

    /** The fixture of this test JVM; the server starts on first use. */
    static synchronized S3ProxyFixture shared() {
        if (shared == null) {
            shared = new S3ProxyFixture(S3ProxyServer.shared().endpoint());
            Runtime.getRuntime().addShutdownHook(new Thread(shared.client::close, "s3-client-close"));
        }
        return shared;
    }

    /** A new empty bucket with a random name. */
    String createBucket() {
        String bucket = "payloads-" + UUID.randomUUID().toString().substring(0, 8);
        client.createBucket(create -> create.bucket(bucket));
        return bucket;
    }

    /** Settings for a store on {@code bucket} of this server, with static credentials and path-style requests. */
    S3StoreSettings settings(String bucket, String prefix, Path spoolDirectory, long multipartThreshold,
            long partSize) {
        return new S3StoreSettings(Optional.of(endpoint), S3ProxyServer.REGION, bucket, prefix, true,
                Optional.of(S3ProxyServer.ACCESS_KEY_ID), Optional.of(S3ProxyServer.SECRET_ACCESS_KEY),
                Optional.of(spoolDirectory), multipartThreshold, partSize);
    }

    /** A client of this server, for looking at the bucket behind the store's back. */
    S3Client client() {
        return client;
    }
}
