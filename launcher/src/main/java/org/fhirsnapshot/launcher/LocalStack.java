package org.fhirsnapshot.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KafkaBroker;
import org.fhirsnapshot.infra.PostgresServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.infra.ServiceProperties;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.SandboxCohort;

/**
 * The whole system on one machine: PostgreSQL and a Kafka broker (real servers, no Docker), the FHIR sandbox, and
 * every service as its own process. A supervisor restarts a service process that dies, as a Kubernetes Deployment
 * would, and the Kafka broker too (same port and data directory), as a StatefulSet would.
 * <p>
 * Every API needs a bearer token. With {@link IdentityProvider#LOCAL_KEY} the services trust an RSA key kept in the
 * data directory ({@link LocalTokens}); {@link #apiClient()} calls them with admin tokens signed with it, and
 * {@code ./fhir-snapshot token} mints tokens with the same key file.
 */
public final class LocalStack implements AutoCloseable {

    /** Services in start order: each one's dependencies come before it. */
    private static final List<Service> START_ORDER = List.of(Service.CONFIG, Service.MRN, Service.SYNC,
            Service.ARCHIVE, Service.FETCH_WORKER);
    private static final List<String> SERVICE_JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final StackOptions options;
    private final Path root;
    private PostgresServer postgres;
    private KafkaBroker kafka;
    private FhirSandbox sandbox;
    private final Map<Service, ServiceProcess> services = new EnumMap<>(Service.class);
    private final List<ServiceProcess> extraWorkers = new ArrayList<>();
    private ScheduledExecutorService supervisor;
    private Map<String, String> identityProperties = Map.of();
    private LocalTokens tokens;

    private LocalStack(StackOptions options) {
        this.options = options;
        this.root = options.pinBuilds()
                ? options.dataDirectory().toAbsolutePath().resolve("builds")
                : Service.repositoryRoot();
    }

    /** Starts everything and returns once every service is ready. */
    public static LocalStack start(StackOptions options, StartListener listener) {
        LocalStack stack = new LocalStack(options);
        try {
            stack.startAll(listener);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** Told as each part becomes ready. */
    public interface StartListener {
        void started(String part, String endpoint);
    }

    private void startAll(StartListener listener) {
        Path data = options.dataDirectory().toAbsolutePath();
        if (options.fresh()) {
            deleteRecursively(data);
        }
        createDirectories(data.resolve("logs"));
        identityProperties = identityProperties(data);
        if (options.pinBuilds()) {
            pinBuilds(Service.repositoryRoot(), root);
        }
        postgres = PostgresServer.start(data.resolve("postgres"), options.postgresPort());
        listener.started("PostgreSQL", "127.0.0.1:" + postgres.port());
        kafka = KafkaBroker.start(data.resolve("kafka"), options.kafkaPort());
        listener.started("Kafka", kafka.bootstrapServers());
        if (options.sandboxPort() >= 0) {
            sandbox = FhirSandbox.start(options.sandboxPort(), SandboxCohort.demo(options.sandboxMrns()));
            listener.started("FHIR sandbox", sandbox.baseUrl());
        }
        Map<Service, String> urls = new LinkedHashMap<>();
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : START_ORDER) {
            int port = options.servicePorts().getOrDefault(service, 0);
            ports.put(service, port == 0 ? FreePorts.next() : port);
            urls.put(service, "http://127.0.0.1:" + ports.get(service));
        }
        for (Service service : START_ORDER) {
            Map<String, String> properties = propertiesOf(service, urls, data);
            services.put(service, ServiceProcess.start(service, root, ports.get(service), properties,
                    data.resolve("logs"), SERVICE_JVM_OPTIONS));
            listener.started(service.module(), urls.get(service));
        }
        for (int i = 1; i < options.fetchWorkers(); i++) {
            Map<String, String> properties = propertiesOf(Service.FETCH_WORKER, urls, data);
            extraWorkers.add(ServiceProcess.start(Service.FETCH_WORKER, root, FreePorts.next(), properties,
                    data.resolve("logs/worker-" + (i + 1)), SERVICE_JVM_OPTIONS));
            listener.started("fetch-worker #" + (i + 1), "");
        }
        supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "stack-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        supervisor.scheduleWithFixedDelay(this::restartDeadProcesses, 2, 2, TimeUnit.SECONDS);
    }

    private Map<String, String> propertiesOf(Service service, Map<Service, String> urls, Path data) {
        Map<String, String> properties = new LinkedHashMap<>(ServiceProperties.of(service, postgres,
                kafka.bootstrapServers(), urls, data.resolve("payloads")));
        properties.putAll(identityProperties);
        properties.putAll(options.extraProperties().getOrDefault(service, Map.of()));
        return properties;
    }

    /**
     * What makes every service trust the stack's tokens and sign its own service tokens. The local private key is a
     * secret: ServiceProcess passes it in the environment, never on a command line.
     */
    private Map<String, String> identityProperties(Path data) {
        return switch (options.identityProvider()) {
            case LOCAL_KEY -> {
                tokens = LocalTokens.loadOrCreate(data);
                yield ServiceProperties.localOidc(tokens.privateKeyPem());
            }
            case KEYCLOAK -> throw new UnsupportedOperationException(
                    "the local stack cannot start Keycloak yet: use the local key (--no-keycloak)");
        };
    }

    /** The broker first: a service is only ready again when Kafka answers. */
    private void restartDeadProcesses() {
        try {
            if (!kafka.isAlive()) {
                kafka.start();
                System.err.printf("%nthe Kafka broker had stopped; restarted it%n");
            }
        } catch (RuntimeException e) {
            System.err.printf("%nthe Kafka broker could not be restarted: %s%n", e.getMessage());
        }
        for (ServiceProcess process : allServiceProcesses()) {
            try {
                if (process.restartIfDead()) {
                    System.err.printf("%n%s had stopped; restarted it%n", process.service().module());
                }
            } catch (RuntimeException e) {
                System.err.printf("%n%s could not be restarted: %s%n", process.service().module(), e.getMessage());
            }
        }
    }

    private List<ServiceProcess> allServiceProcesses() {
        List<ServiceProcess> all = new ArrayList<>(services.values());
        all.addAll(extraWorkers);
        return all;
    }

    public String url(Service service) {
        return services.get(service).url();
    }

    /** Every service's base URL. */
    public Map<Service, String> urls() {
        Map<Service, String> urls = new EnumMap<>(Service.class);
        services.forEach((service, process) -> urls.put(service, process.url()));
        return urls;
    }

    /**
     * A client of the public APIs that calls as an admin ({@link LocalTokens#LAUNCHER_USER}), with tokens signed
     * with the stack's local key and renewed before they expire.
     */
    public ApiClient apiClient() {
        return new ApiClient(tokens().launcherAdminTokens());
    }

    /** The tokens the services trust: signed with the local key of the data directory. */
    public LocalTokens tokens() {
        if (tokens == null) {
            throw new IllegalStateException("this stack's tokens come from " + options.identityProvider()
                    + ", not from a local key");
        }
        return tokens;
    }

    public ServiceProcess process(Service service) {
        return services.get(service);
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The FHIR sandbox, or null when the stack runs against another FHIR server. */
    public FhirSandbox sandbox() {
        return sandbox;
    }

    public Path dataDirectory() {
        return options.dataDirectory();
    }

    @Override
    public void close() {
        if (supervisor != null) {
            supervisor.shutdownNow();
            try {
                // A restart under way ends (interrupted) before the processes are stopped.
                supervisor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ServiceProcess> stopping = allServiceProcesses();
        Collections.reverse(stopping);
        stopping.parallelStream().forEach(ServiceProcess::close);
        if (sandbox != null) {
            sandbox.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /**
     * Mirrors each service's {@code target/quarkus-app} from {@code repository} under {@code pinned} as hard links
     * (copies where links are not possible). A rebuild replaces the files it writes, so the links keep the build
     * that was there at start.
     */
    private static void pinBuilds(Path repository, Path pinned) {
        deleteRecursively(pinned);
        for (Service service : START_ORDER) {
            Path app = service.jar(repository).getParent();
            Path target = pinned.resolve(repository.relativize(app));
            if (!Files.isDirectory(app)) {
                continue; // ServiceProcess.start says which build is missing.
            }
            try (Stream<Path> paths = Files.walk(app)) {
                for (Path source : (Iterable<Path>) paths::iterator) {
                    Path copy = target.resolve(app.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(copy);
                    } else {
                        try {
                            Files.createLink(copy, source);
                        } catch (IOException | UnsupportedOperationException e) {
                            Files.copy(source, copy);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not pin the build of " + service.module(), e);
            }
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not wipe " + dir, e);
        }
    }
}
