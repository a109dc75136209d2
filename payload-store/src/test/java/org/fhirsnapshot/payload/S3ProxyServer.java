package org.fhirsnapshot.payload;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for the tests: S3Proxy (from Maven Central, copied to {@code target/s3proxy/s3proxy.jar} by
 * the build) in a child JVM on a free loopback port, over its file-system blob store in a temporary directory,
 * path-style, with SigV4 authentication. Started once per test JVM ({@link #shared()}) and stopped when the JVM
 * exits.
 */
final class S3ProxyServer {

    static final String ACCESS_KEY_ID = "payload-store-test";
    static final String SECRET_ACCESS_KEY = "payload-store-test-secret";
    static final String REGION = "us-east-1";

    private static S3ProxyServer shared;

    private final Process process;
    private final URI endpoint;
    private final Path directory;
    private final S3Client client;

    private S3ProxyServer(Process process, URI endpoint, Path directory) {
        this.process = process;
        this.endpoint = endpoint;
        this.directory = directory;
        this.client = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder()).endpointOverride(endpoint)
                .region(Region.of(REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider
                        .create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .build();
    }

    /** The server of this test JVM, started on first use. */
    static synchronized S3ProxyServer shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start S3Proxy", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "s3proxy-stop"));
        }
        return shared;
    }

    private static S3ProxyServer start() throws IOException {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: run the tests through Maven, which copies S3Proxy there");
        }
        Path directory = Files.createTempDirectory("s3proxy-");
        Path blobs = Files.createDirectories(directory.resolve("blobs"));
        int port = freePort();
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
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx192m", "-XX:+UseSerialGC",
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener", "-jar", jar.toString(),
                "--properties", properties.toString()));
        builder.environment().put("LOG_LEVEL", "warn");
        builder.redirectErrorStream(true).redirectOutput(directory.resolve("s3proxy.log").toFile());
        Process process = builder.start();
        S3ProxyServer server = new S3ProxyServer(process, endpoint, directory);
        try {
            await("S3Proxy listening on " + endpoint).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("S3Proxy exited: "
                                    + Files.readString(directory.resolve("s3proxy.log")));
                        }
                        return accepts(port);
                    });
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        return server;
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
        return new S3StoreSettings(Optional.of(endpoint), REGION, bucket, prefix, true, Optional.of(ACCESS_KEY_ID),
                Optional.of(SECRET_ACCESS_KEY), Optional.of(spoolDirectory), multipartThreshold, partSize);
    }

    /** A client of this server, for looking at the bucket behind the store's back. */
    S3Client client() {
        return client;
    }

    URI endpoint() {
        return endpoint;
    }

    private void stop() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary directory; the system cleans it up eventually.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
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
}
