package org.fhirsnapshot.infra;

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

/**
 * A real S3 API server: S3Proxy (from Maven Central) in a child JVM on a free loopback port, over its file-system
 * blob store in a temporary directory, SigV4 (or v2) with static keys, path-style. One per JVM ({@link #shared()}),
 * stopped and its directory deleted when the JVM exits.
 * <p>
 * The S3Proxy jar is taken from the system property {@code s3proxy.jar} (default {@code target/s3proxy/s3proxy.jar}):
 * a module whose tests use it copies {@code org.gaul:s3proxy:jar-with-dependencies} there with the
 * maven-dependency-plugin (see payload-store's pom). It is never on a classpath: it bundles its own AWS SDK.
 */
public final class S3ProxyServer {

    public static final String ACCESS_KEY_ID = "fhir-snapshot-test";
    public static final String SECRET_ACCESS_KEY = "fhir-snapshot-test-secret";
    public static final String REGION = "us-east-1";

    private static S3ProxyServer shared;

    private final URI endpoint;
    private final Path blobs;

    private S3ProxyServer(URI endpoint, Path blobs) {
        this.endpoint = endpoint;
        this.blobs = blobs;
    }

    /** The server of this JVM, started on first use. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null) {
            shared = start(Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar")));
        }
        return shared;
    }

    /** The S3 API's base URL. */
    public URI endpoint() {
        return endpoint;
    }

    /** Makes {@code name} an (empty) bucket, if it is not one yet; returns the name. */
    public synchronized String bucket(String name) {
        try {
            // The file-system blob store keeps a bucket as a directory of its base directory.
            Files.createDirectories(blobs.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create bucket " + name, e);
        }
        return name;
    }

    private static S3ProxyServer start(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through Maven, which copies S3Proxy"
                    + " there (maven-dependency-plugin, org.gaul:s3proxy:jar-with-dependencies)");
        }
        try {
            Path directory = Files.createTempDirectory("fhir-snapshot-s3proxy");
            Path blobs = Files.createDirectories(directory.resolve("blobs"));
            int port = FreePorts.next();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            Path properties = directory.resolve("s3proxy.conf");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY_ID,
                    "s3proxy.credential=" + SECRET_ACCESS_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + blobs,
                    "jclouds.identity=" + ACCESS_KEY_ID,
                    "jclouds.credential=" + SECRET_ACCESS_KEY, ""));
            ChildProcess process = ChildProcess.start("s3proxy",
                    List.of(JavaCommand.javaExecutable(), "-Xmx192m", "-XX:+UseSerialGC",
                            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener", "-jar",
                            jar.toAbsolutePath().toString(), "--properties", properties.toString()),
                    Map.of("LOG_LEVEL", "warn"), directory.resolve("s3proxy.pid"), directory.resolve("s3proxy.log"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                process.close();
                deleteTree(directory);
            }, "s3proxy-cleanup"));
            process.awaitReady(() -> accepts(port), Duration.ofSeconds(60));
            return new S3ProxyServer(endpoint, blobs);
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
