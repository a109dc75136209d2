package org.fhirsnapshot.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fhirsnapshot.infra.ChildProcess;
import org.fhirsnapshot.infra.FreePorts;

/**
 * A real S3 API server: S3Proxy (from Maven Central) in a child JVM on a free loopback port, over its file-system
 * blob store in a temporary directory, SigV4 with static keys, path-style. Started once per test JVM and stopped when
 * the JVM exits. Points the service under test at it: {@code fhir-snapshot.payload-store.type=s3} and the
 * {@code fhir-snapshot.payload-store.s3.*} endpoint, bucket, region, path-style and keys.
 * <p>
 * Init arg {@code bucket} (default {@value #DEFAULT_BUCKET}): the bucket, created empty if it does not exist yet.
 * The S3Proxy jar is taken from the system property {@code s3proxy.jar} (default
 * {@code target/s3proxy/s3proxy.jar}): the module whose tests use this resource copies
 * {@code org.gaul:s3proxy:jar-with-dependencies} there with the maven-dependency-plugin (see archive-service's pom).
 * It is not on the test classpath: it bundles its own copy of the AWS SDK.
 * <p>
 * Usually declared by a {@code QuarkusTestProfile}'s {@code testResources()}, so that only the test classes of that
 * profile (one Quarkus boot of their own) read their payloads from S3.
 */
public class S3ProxyTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String ACCESS_KEY_ID = "fhir-snapshot-test";
    public static final String SECRET_ACCESS_KEY = "fhir-snapshot-test-secret";
    public static final String REGION = "us-east-1";
    public static final String DEFAULT_BUCKET = "fhir-payloads";

    private static URI endpoint;
    private static Path blobs;

    private String bucket = DEFAULT_BUCKET;

    @Override
    public void init(Map<String, String> initArgs) {
        bucket = initArgs.getOrDefault("bucket", DEFAULT_BUCKET);
    }

    /** The S3 API's base URL of this test JVM's server, started on first use. */
    public static synchronized URI endpoint() {
        if (endpoint == null) {
            start(Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar")));
        }
        return endpoint;
    }

    /** Makes {@code name} an (empty) bucket of the server, if it is not one yet; returns the name. */
    public static synchronized String bucket(String name) {
        endpoint();
        try {
            // The file-system blob store keeps a bucket as a directory of its base directory.
            Files.createDirectories(blobs.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create bucket " + name, e);
        }
        return name;
    }

    @Override
    public Map<String, String> start() {
        String prefix = "fhir-snapshot.payload-store.";
        return Map.of(prefix + "type", "s3",
                prefix + "s3.endpoint", endpoint().toString(),
                prefix + "s3.bucket", bucket(bucket),
                prefix + "s3.region", REGION,
                prefix + "s3.path-style", "true",
                prefix + "s3.access-key-id", ACCESS_KEY_ID,
                prefix + "s3.secret-access-key", SECRET_ACCESS_KEY);
    }

    @Override
    public void stop() {
        // The server lives as long as the test JVM; a shutdown hook ends it.
    }

    private static void start(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through Maven, which copies S3Proxy"
                    + " there (maven-dependency-plugin, org.gaul:s3proxy:jar-with-dependencies)");
        }
        try {
            Path directory = Files.createTempDirectory("fhir-snapshot-s3proxy");
            Path blobDirectory = Files.createDirectories(directory.resolve("blobs"));
            int port = FreePorts.next();
            URI uri = URI.create("http://127.0.0.1:" + port);
            Path properties = directory.resolve("s3proxy.conf");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + uri,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY_ID,
                    "s3proxy.credential=" + SECRET_ACCESS_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + blobDirectory,
                    "jclouds.identity=" + ACCESS_KEY_ID,
                    "jclouds.credential=" + SECRET_ACCESS_KEY, ""));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ChildProcess process = ChildProcess.start("s3proxy",
                    List.of(java.toString(), "-Xmx192m", "-XX:+UseSerialGC",
                            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener", "-jar",
                            jar.toAbsolutePath().toString(), "--properties", properties.toString()),
                    Map.of("LOG_LEVEL", "warn"), directory.resolve("s3proxy.pid"), directory.resolve("s3proxy.log"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                process.close();
                deleteTree(directory);
            }, "s3proxy-cleanup"));
            process.awaitReady(() -> accepts(port), Duration.ofSeconds(60));
            endpoint = uri;
            blobs = blobDirectory;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start S3Proxy", e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary directory; the system cleans it up eventually.
        }
    }
}
