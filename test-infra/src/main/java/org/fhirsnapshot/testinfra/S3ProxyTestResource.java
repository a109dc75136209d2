package org.fhirsnapshot.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.Map;
import org.fhirsnapshot.infra.S3ProxyServer;

/**
 * Points the service under test at a real S3 API server (local-infra's {@link S3ProxyServer}, one per test JVM):
 * {@code fhir-snapshot.payload-store.type=s3} and the {@code fhir-snapshot.payload-store.s3.*} endpoint, bucket,
 * region, path-style and keys. Init arg {@code bucket} (default {@value #DEFAULT_BUCKET}): the bucket, created empty
 * if it does not exist yet. The module whose tests use it copies the S3Proxy jar to {@code target/s3proxy/} (see
 * archive-service's pom).
 * <p>
 * Usually declared by a {@code QuarkusTestProfile}'s {@code testResources()}, so that only the test classes of that
 * profile (one Quarkus boot of their own) read their payloads from S3.
 */
public class S3ProxyTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String ACCESS_KEY_ID = S3ProxyServer.ACCESS_KEY_ID;
    public static final String SECRET_ACCESS_KEY = S3ProxyServer.SECRET_ACCESS_KEY;
    public static final String REGION = S3ProxyServer.REGION;
    public static final String DEFAULT_BUCKET = "fhir-payloads";

    private String bucket = DEFAULT_BUCKET;

    @Override
    public void init(Map<String, String> initArgs) {
        bucket = initArgs.getOrDefault("bucket", DEFAULT_BUCKET);
    }

    /** The S3 API's base URL of this test JVM's server, started on first use. */
    public static URI endpoint() {
        return S3ProxyServer.shared().endpoint();
    }

    @Override
    public Map<String, String> start() {
        String prefix = "fhir-snapshot.payload-store.";
        return Map.of(prefix + "type", "s3",
                prefix + "s3.endpoint", endpoint().toString(),
                prefix + "s3.bucket", S3ProxyServer.shared().bucket(bucket),
                prefix + "s3.region", REGION,
                prefix + "s3.path-style", "true",
                prefix + "s3.access-key-id", ACCESS_KEY_ID,
                prefix + "s3.secret-access-key", SECRET_ACCESS_KEY);
    }

    @Override
    public void stop() {
        // The server lives as long as the test JVM; a shutdown hook ends it.
    }
}
