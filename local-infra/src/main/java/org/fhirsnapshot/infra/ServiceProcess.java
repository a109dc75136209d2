package org.fhirsnapshot.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * One service running as its own process from its fast-jar, ready when its readiness check answers 200 (which
 * means its database and Kafka answer).
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Service service;
    private final Path jar;
    private final int port;
    private final Map<String, String> properties;
    private final Path runDir;
    private final List<String> jvmOptions;
    private ChildProcess process;

    private ServiceProcess(Service service, Path jar, int port, Map<String, String> properties, Path runDir,
            List<String> jvmOptions) {
        this.service = service;
        this.jar = jar;
        this.port = port;
        this.properties = new TreeMap<>(properties);
        this.runDir = runDir;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * Starts {@code service} from its jar under {@code repositoryRoot} with {@code properties} as system
     * properties (secret ones, {@link ServiceProperties#isSecret}, as environment variables instead), its pid and
     * log in {@code runDir}, and waits until it is ready.
     */
    public static ServiceProcess start(Service service, Path repositoryRoot, int port, Map<String, String> properties,
            Path runDir, List<String> jvmOptions) {
        Path jar = service.jar(repositoryRoot);
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -pl " + service.module()
                    + " -am package -DskipTests");
        }
        ServiceProcess process = new ServiceProcess(service, jar, port, properties, runDir, jvmOptions);
        process.start();
        return process;
    }

    public synchronized void start() {
        List<String> options = new ArrayList<>(jvmOptions);
        Map<String, String> environment = new TreeMap<>();
        options.add("-Dquarkus.http.port=" + port);
        properties.forEach((key, value) -> {
            if (ServiceProperties.isSecret(key)) {
                // Secrets go through the environment (readable only by this user), not the command line.
                environment.put(ServiceProperties.environmentVariable(key), value);
            } else {
                options.add("-D" + key + "=" + value);
            }
        });
        options.add("-jar");
        options.add(jar.toString());
        process = ChildProcess.start(service.module(), JavaCommand.of(options), environment,
                runDir.resolve(service.module() + ".pid"), runDir.resolve(service.module() + ".log"));
        process.awaitReady(this::ready, Duration.ofSeconds(120));
    }

    /** Starts the service if its process has died; returns whether it did. */
    public synchronized boolean restartIfDead() {
        if (process != null && process.isAlive()) {
            return false;
        }
        start();
        return true;
    }

    public boolean ready() {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public Service service() {
        return service;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return process.logFile();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Stops the process as Kubernetes stops a pod: {@code SIGTERM}, then {@code SIGKILL} if it has not exited within
     * {@code grace}. The stack's supervisor starts it again, as a Deployment would.
     *
     * @return the exit code, or empty when it had to be killed (or was not running)
     */
    public synchronized OptionalInt terminate(Duration grace) {
        return process == null ? OptionalInt.empty() : process.terminate(grace);
    }

    /** Kills the process at once, as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.close();
        }
    }
}
