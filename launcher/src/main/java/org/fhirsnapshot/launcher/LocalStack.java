package org.fhirsnapshot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KafkaBroker;
import org.fhirsnapshot.infra.KeycloakRealm;
import org.fhirsnapshot.infra.KeycloakServer;
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
 * {@code ./fhir-snapshot token} mints tokens with the same key file. With {@link IdentityProvider#KEYCLOAK} a real
 * Keycloak ({@link KeycloakServer}, data in {@code <data>/keycloak}) starts first, alongside PostgreSQL and Kafka; the
 * services verify its tokens and get their own service tokens from it by client credentials; {@link #apiClient()}
 * calls as the confidential client {@value #LAUNCHER_CLIENT} (group {@code admin}); each project gets a Keycloak user
 * per role ({@code {key}-reader|exporter|manager}, password = user name) within seconds of its creation; the
 * supervisor restarts Keycloak too. Either way the data directory records who issues the tokens
 * ({@link StackIdentity}), for {@code ./fhir-snapshot token}.
 */
public final class LocalStack implements AutoCloseable {

    /** Services in start order: each one's dependencies come before it. */
    private static final List<Service> START_ORDER = List.of(Service.CONFIG, Service.MRN, Service.SYNC,
            Service.ARCHIVE, Service.FETCH_WORKER);
    /** The Keycloak client the launcher's own calls use (client credentials; its service account is an admin). */
    public static final String LAUNCHER_CLIENT = LocalTokens.LAUNCHER_USER;
    /** The project whose users every Keycloak realm of the local stack has from the start. */
    public static final String DEMO_PROJECT = "demo";
    /** How often the projects are copied into Keycloak, in seconds. */
    private static final int PROJECT_SYNC_SECONDS = 3;
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
    private KeycloakServer keycloak;
    /** Replaced when Keycloak restarts: a restart that re-imports the realm gives it new signing keys. */
    private volatile Supplier<String> launcherKeycloakTokens;
    private ApiClient projectLister;
    private final Set<String> projectsInKeycloak = new LinkedHashSet<>();
    /** The console's port with Keycloak (chosen before Keycloak starts: its client's redirect URIs name it). */
    private int consolePort;

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
        if (options.identityProvider() == IdentityProvider.KEYCLOAK) {
            int port = options.servicePorts().getOrDefault(Service.CONSOLE, 0);
            consolePort = port == 0 ? FreePorts.next() : port;
        }
        // Keycloak is the slowest part (15-90 s): it starts on its own thread while PostgreSQL, Kafka and the
        // sandbox start here; every service needs it, so they wait for both.
        CompletableFuture<KeycloakServer> keycloakStart = options.identityProvider() == IdentityProvider.KEYCLOAK
                ? CompletableFuture.supplyAsync(() -> startKeycloak(data.resolve("keycloak")), LocalStack::daemonThread)
                : null;
        RuntimeException failure = null;
        try {
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
        } catch (RuntimeException e) {
            failure = e;
        }
        if (keycloakStart != null) {
            // Awaited even after a failure, so that close() stops the server it started.
            try {
                keycloak = keycloakStart.join();
                listener.started("Keycloak", keycloak.baseUrl());
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException runtime
                        ? runtime
                        : new IllegalStateException("Keycloak did not start", e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        identityProperties = identityProperties(data);
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
        if (keycloak != null) {
            // The console needs a login: it runs only with Keycloak (architecture: no anonymous screens).
            String url = "http://127.0.0.1:" + consolePort;
            String secret = keycloak.realm().webClient(KeycloakRealm.CONSOLE_CLIENT).secret();
            Map<String, String> properties = new LinkedHashMap<>(ServiceProperties.console(urls, keycloak.issuerUrl(),
                    KeycloakRealm.CONSOLE_CLIENT, secret));
            properties.putAll(options.extraProperties().getOrDefault(Service.CONSOLE, Map.of()));
            services.put(Service.CONSOLE, ServiceProcess.start(Service.CONSOLE, root, consolePort, properties,
                    data.resolve("logs"), SERVICE_JVM_OPTIONS));
            listener.started(Service.CONSOLE.module(), url);
        }
        // Two threads: a Keycloak restart (up to a minute) must not hold back the restart of a service.
        supervisor = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "stack-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        supervisor.scheduleWithFixedDelay(this::restartDeadProcesses, 2, 2, TimeUnit.SECONDS);
        if (keycloak != null) {
            supervisor.scheduleWithFixedDelay(this::superviseKeycloak, 0, PROJECT_SYNC_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static void daemonThread(Runnable task) {
        Thread thread = new Thread(task, "keycloak-start");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Keycloak with the stack's realm: the demo project's users and the launcher's own client; the same realm at
     * every start, so that Keycloak keeps its database (the users of later projects, and those added in the admin
     * console) from run to run. The secrets live beside Keycloak's data, owner-only.
     */
    private KeycloakServer startKeycloak(Path keycloakData) {
        createDirectories(keycloakData);
        KeycloakRealm realm = KeycloakRealm
                .create(KeycloakRealm.loadOrCreateSecret(keycloakData.resolve("services-client.secret")))
                .withClient(LAUNCHER_CLIENT, KeycloakRealm.loadOrCreateSecret(keycloakData.resolve(
                        "launcher-client.secret")), KeycloakRealm.ADMIN_GROUP)
                .withWebClient(KeycloakRealm.CONSOLE_CLIENT, KeycloakRealm.loadOrCreateSecret(keycloakData.resolve(
                        "console-client.secret")), List.of("http://127.0.0.1:" + consolePort + "/*",
                                "http://localhost:" + consolePort + "/*"))
                .withProject(DEMO_PROJECT);
        projectsInKeycloak.add(DEMO_PROJECT);
        return KeycloakServer.start(keycloakData, options.keycloakPort(), realm);
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
                new StackIdentity(IdentityProvider.LOCAL_KEY, null).write(data);
                yield ServiceProperties.localOidc(tokens.privateKeyPem());
            }
            case KEYCLOAK -> {
                // No local key here: with one, the services would sign their own service tokens with it and trust it.
                new StackIdentity(IdentityProvider.KEYCLOAK, keycloak.baseUrl()).write(data);
                renewLauncherKeycloakTokens();
                yield keycloak.serviceProperties(); // the client secret travels in the environment (isSecret)
            }
        };
    }

    private void renewLauncherKeycloakTokens() {
        String secret = keycloak.realm().client(LAUNCHER_CLIENT).secret();
        launcherKeycloakTokens = KeycloakLogin.renewing(() -> keycloak.clientCredentialsToken(LAUNCHER_CLIENT, secret));
    }

    /**
     * Restarts Keycloak when it died (same port and data), then gives every project that has none yet a Keycloak user
     * per role (users that exist already, from an earlier run, stay as they are). The users go in through the admin
     * API ({@link KeycloakServer#addProject}), not into the realm imported at start: so a restart keeps Keycloak's
     * database and its signing keys, and the service tokens the services cache stay valid. (Were the realm to change,
     * Keycloak would import it afresh under new keys, and the services' cached tokens would be refused until they
     * expire.)
     */
    private void superviseKeycloak() {
        try {
            if (!keycloak.isAlive()) {
                System.err.printf("%nKeycloak had stopped; restarting it...%n");
                keycloak.start();
                renewLauncherKeycloakTokens();
                System.err.printf("Keycloak restarted%n");
            }
        } catch (RuntimeException e) {
            System.err.printf("%nKeycloak could not be restarted: %s%n", e.getMessage());
            return;
        }
        try {
            for (String project : projectKeys()) {
                if (!projectsInKeycloak.contains(project)) {
                    keycloak.addProject(project);
                    projectsInKeycloak.add(project);
                }
            }
        } catch (RuntimeException e) {
            // config-service restarting, say: the next round tries again.
        }
    }

    /** Every project's key, as the admin sees them in config-service. */
    private List<String> projectKeys() {
        if (projectLister == null) {
            projectLister = apiClient();
        }
        List<String> keys = new ArrayList<>();
        for (int page = 0;; page++) {
            JsonNode result = projectLister.get(url(Service.CONFIG) + "/api/projects?size=500&page=" + page);
            result.path("items").forEach(project -> keys.add(project.path("key").asText()));
            if (result.path("items").size() < 500) {
                return keys;
            }
        }
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
     * A client of the public APIs that calls as an admin ({@link LocalTokens#LAUNCHER_USER}), with tokens signed with
     * the stack's local key, or Keycloak's tokens of the client {@value #LAUNCHER_CLIENT}, renewed before they expire.
     */
    public ApiClient apiClient() {
        return new ApiClient(keycloak != null ? () -> launcherKeycloakTokens.get() : tokens().launcherAdminTokens());
    }

    /** The stack's Keycloak with {@link IdentityProvider#KEYCLOAK}, otherwise null. */
    public KeycloakServer keycloak() {
        return keycloak;
    }

    /** Who issues the tokens the services trust. */
    public IdentityProvider identityProvider() {
        return options.identityProvider();
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
        if (keycloak != null) {
            keycloak.close();
        }
    }

    /**
     * Mirrors each service's {@code target/quarkus-app} from {@code repository} under {@code pinned} as hard links
     * (copies where links are not possible). A rebuild replaces the files it writes, so the links keep the build
     * that was there at start.
     */
    private static void pinBuilds(Path repository, Path pinned) {
        deleteRecursively(pinned);
        for (Service service : Service.values()) {
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
