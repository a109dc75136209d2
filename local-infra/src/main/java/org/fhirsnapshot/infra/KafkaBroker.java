package org.fhirsnapshot.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Apache Kafka broker in KRaft mode (broker and controller in one), run in a child JVM from the classpath
 * that the {@code kafka-broker-runtime} module records. Data survives a restart when the same directory is used.
 */
public final class KafkaBroker implements AutoCloseable {

    /** A fixed cluster id: every local broker is its own one-node cluster. */
    private static final String CLUSTER_ID = "q1Sh-9_ISia_zwGINzRvyQ";
    private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC");
    /** Warnings only, but the line that says the server started. */
    private static final String LOG_CONFIG = String.join("\n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = out",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{ISO8601} %-5p %c{1} %m%n",
            "logger.started.name = kafka.server.KafkaRaftServer",
            "logger.started.level = info",
            "");

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private ChildProcess process;

    private KafkaBroker(Path dataDir, int port, int controllerPort) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker on {@code port} (0 for any free port) with its logs under {@code dataDir}. */
    public static KafkaBroker start(Path dataDir, int port) {
        KafkaBroker broker = new KafkaBroker(dataDir, port == 0 ? FreePorts.next() : port, FreePorts.next());
        broker.start();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the broker again after {@link #kill()} or {@link #close()}, on the same port and data. */
    public synchronized void start() {
        try {
            Files.createDirectories(dataDir);
            Path properties = writeProperties();
            String classpath = brokerClasspath();
            Path logConfig = dataDir.resolve("log4j2.properties");
            Files.writeString(logConfig, LOG_CONFIG, StandardCharsets.UTF_8);
            List<String> jvmOptions = new ArrayList<>(JVM_OPTIONS);
            jvmOptions.add("-Dlog4j2.configurationFile=" + logConfig.toAbsolutePath());
            Path logs = dataDir.resolve("kraft-logs");
            if (!Files.exists(logs.resolve("meta.properties"))) {
                formatStorage(jvmOptions, classpath, properties);
            }
            process = ChildProcess.start("kafka", JavaCommand.of(jvmOptions, "-cp", classpath, "kafka.Kafka",
                    properties.toString()), dataDir.resolve("broker.pid"), dataDir.resolve("broker.log"));
            process.awaitReady(this::accepts, Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Kafka broker in " + dataDir, e);
        }
    }

    private void formatStorage(List<String> jvmOptions, String classpath, Path properties) throws IOException {
        Process format = new ProcessBuilder(JavaCommand.of(jvmOptions, "-cp", classpath, "kafka.tools.StorageTool",
                "format", "-t", CLUSTER_ID, "-c", properties.toString(), "--ignore-formatted"))
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("format.log").toFile()).start();
        try {
            if (format.waitFor() != 0) {
                throw new IllegalStateException(
                        "formatting Kafka storage failed; see " + dataDir.resolve("format.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    private Path writeProperties() throws IOException {
        String text = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("kraft-logs").toAbsolutePath(),
                "num.partitions=6",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.flush.interval.messages=1",
                "");
        Path properties = dataDir.resolve("server.properties");
        Files.writeString(properties, text, StandardCharsets.UTF_8);
        return properties;
    }

    private boolean accepts() {
        if (!process.logContains("Kafka Server started")) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream("/kafka-broker.classpath")) {
            if (in == null) {
                throw new IllegalStateException(
                        "kafka-broker.classpath is not on the classpath: build the kafka-broker-runtime module first");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the broker at once, as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.close();
        }
    }
}
