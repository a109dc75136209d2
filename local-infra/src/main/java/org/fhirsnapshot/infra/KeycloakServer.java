package org.fhirsnapshot.infra;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Keycloak ({@link KeycloakDistribution}, from Maven Central) in development mode on 127.0.0.1, in its own
 * JVM, with the {@link KeycloakRealm} imported at start-up. The data directory is the server's own Keycloak home:
 * links to the distribution's {@code lib}, {@code conf}, {@code themes} and {@code providers}; {@code data/} with the
 * H2 database and {@code data/import/fhir-snapshot-realm.json}; the log and the pid file. A restart on the same directory keeps the database (users added in the admin console stay)
 * unless the realm settings changed: then the database is dropped and the realm imported afresh.
 *
 * <p>
 * The issuer is fixed to {@code http://127.0.0.1:PORT/realms/fhir-snapshot} whatever host name a request uses, so
 * tokens fetched through {@code localhost} verify too. Health checks and the management port (9000) stay off.
 */
public final class KeycloakServer implements AutoCloseable {

    /** The user of Keycloak's admin console (master realm), created from the environment at the first start. */
    public static final String ADMIN_CONSOLE_USER = "admin";
    /**
     * The property that carries the services' client secret; secret, so the launcher must pass it in the environment
     * ({@code QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET}), as it does for {@link ServiceProperties#isSecret} keys.
     */
    public static final String CLIENT_SECRET_PROPERTY = "quarkus.oidc-client.credentials.secret";

    private static final String REALM_FILE = "fhir-snapshot-realm.json";
    private static final String AUGMENTED_MARKER = ".fhir-snapshot-augmented";
    /** What Keycloak builds into the distribution: development mode with its defaults. */
    private static final String BUILD_SIGNATURE = "start-dev defaults";
    private static final List<String> DISTRIBUTION_PARTS = List.of("lib", "conf", "themes", "providers");
    /**
     * kc.sh's JVM options (Keycloak 26.7), with the serial collector and C1 only: a quicker start and a smaller JVM
     * on 2 cores. Check them against bin/kc.sh when changing the Keycloak version.
     */
    private static final String JAVA_OPTIONS = "-Xms64m -Xmx512m -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m"
            + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8"
            + " -Djava.security.egd=file:/dev/urandom --add-opens=java.base/java.util=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens=java.base/java.security=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
            + " --enable-native-access=ALL-UNNAMED -Duser.language=en -Duser.country=US";
    /** What Keycloak logs when it has built the distribution and exits to be started again. */
    private static final String AUGMENTATION_DONE = "Quarkus augmentation completed";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final KeycloakDistribution distribution;
    private final Path dataDir;
    private final int port;
    private final KeycloakRealm realm;
    private final String adminConsolePassword;
    private ChildProcess process;

    private KeycloakServer(KeycloakDistribution distribution, Path dataDir, int port, KeycloakRealm realm) {
        this.distribution = distribution;
        this.dataDir = dataDir.toAbsolutePath();
        this.port = port;
        this.realm = realm;
        this.adminConsolePassword = KeycloakRealm.loadOrCreateSecret(this.dataDir.resolve("admin-console.password"));
    }

    /**
     * Starts Keycloak on {@code port} (0 for any free port) with its data in {@code dataDir} and {@code realm}
     * imported, and waits until the realm answers. The first start on a machine unpacks the distribution and lets
     * Keycloak build it (about a minute more).
     */
    public static KeycloakServer start(Path dataDir, int port, KeycloakRealm realm) {
        return start(dataDir, port, realm, KeycloakDistribution.installed());
    }

    /** As {@link #start(Path, int, KeycloakRealm)}, from a given distribution. */
    public static KeycloakServer start(Path dataDir, int port, KeycloakRealm realm,
            KeycloakDistribution distribution) {
        KeycloakServer server = new KeycloakServer(distribution, dataDir, port == 0 ? FreePorts.next() : port, realm);
        server.start();
        return server;
    }

    /** Starts the server again after {@link #kill()} or {@link #close()}, on the same port and data. */
    public synchronized void start() {
        try {
            prepareHome();
            Path marker = distribution.home().resolve(AUGMENTED_MARKER);
            if (isAugmented(marker)) {
                launch();
            } else {
                // The first start builds the shared distribution: one server at a time, across JVMs.
                synchronized (KeycloakDistribution.class) {
                    try (KeycloakDistribution.Lock lock = distribution.lock()) {
                        launch();
                        Files.writeString(marker, BUILD_SIGNATURE, StandardCharsets.UTF_8);
                    }
                }
            }
            // Not part of the import (KeycloakRealm#toJson): a realm imported before a web client existed gets it too.
            realm.webClients().forEach(client -> ensureWebClient(client.clientId()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Keycloak in " + dataDir, e);
        }
    }

    private static boolean isAugmented(Path marker) throws IOException {
        return Files.exists(marker) && Files.readString(marker, StandardCharsets.UTF_8).equals(BUILD_SIGNATURE);
    }

    /**
     * Runs the server JVM as kc.sh would, but directly, so that the pid file names the server itself. Like kc.sh:
     * when Keycloak had to build the distribution first, it exits (status 10) after the build and is started again
     * with {@code -Dkc.config.built=true}.
     */
    private void launch() throws IOException {
        Path log = logFile();
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        try {
            startProcess(false);
        } catch (IllegalStateException e) {
            if (process.isAlive() || !logSince(log, logStart).contains(AUGMENTATION_DONE)) {
                stopProcessTree(false);
                throw e;
            }
            try {
                startProcess(true);
            } catch (IllegalStateException again) {
                stopProcessTree(false);
                throw again;
            }
        }
    }

    private void startProcess(boolean built) {
        List<String> jvmOptions = new ArrayList<>(List.of(JAVA_OPTIONS.split(" ")));
        if (built) {
            jvmOptions.add("-Dkc.config.built=true");
        }
        jvmOptions.addAll(List.of("-Dkc.home.dir=" + dataDir, "-Djboss.server.config.dir=" + dataDir.resolve("conf"),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-Dpicocli.disable.closures=true",
                "-Dquarkus-log-max-startup-records=10000",
                "-Djava.util.concurrent.ForkJoinPool.common.threadFactory="
                        + "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory",
                "-cp", dataDir.resolve("lib/quarkus-run.jar").toString()));
        List<String> command = JavaCommand.of(jvmOptions, "io.quarkus.bootstrap.runner.QuarkusEntryPoint", "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--hostname=" + baseUrl(), "--import-realm");
        process = ChildProcess.start("keycloak", command,
                Map.of("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_CONSOLE_USER, "KC_BOOTSTRAP_ADMIN_PASSWORD",
                        adminConsolePassword),
                dataDir.resolve("keycloak.pid"), logFile());
        process.awaitReady(this::ready, START_TIMEOUT);
    }

    private static String logSince(Path log, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        return new String(bytes, (int) Math.min(offset, bytes.length), (int) Math.max(0, bytes.length - offset),
                StandardCharsets.UTF_8);
    }

    /** Makes {@code dataDir} a Keycloak home over the shared distribution, and writes the realm to import. */
    private void prepareHome() throws IOException {
        Files.createDirectories(dataDir);
        for (String part : DISTRIBUTION_PARTS) {
            Path link = dataDir.resolve(part);
            Path target = distribution.home().resolve(part);
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
                continue;
            }
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(link);
            }
            Files.createSymbolicLink(link, target);
        }
        Path imports = Files.createDirectories(dataDir.resolve("data/import"));
        Path realmFile = imports.resolve(REALM_FILE);
        String json = realm.toJson();
        boolean changed = !Files.exists(realmFile) || !Files.readString(realmFile, StandardCharsets.UTF_8).equals(json);
        if (changed) {
            // Keycloak skips the import of a realm that its database holds: start from an empty database.
            KeycloakDistribution.deleteTree(dataDir.resolve("data/h2"));
            // It holds the client secrets and passwords: owner-only.
            if (!Files.exists(realmFile)) {
                Files.createFile(realmFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            Files.setPosixFilePermissions(realmFile, OWNER_ONLY);
            Files.writeString(realmFile, json, StandardCharsets.UTF_8);
        }
    }

    /** Whether the realm's OpenID configuration answers 200 and names the expected issuer. */
    public boolean ready() {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(issuerUrl() + "/.well-known/openid-configuration"))
                            .timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && issuerUrl().equals(json(response.body()).getString("issuer", ""));
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The realm URL: the {@code iss} of its tokens and quarkus-oidc's {@code auth-server-url}. */
    public String issuerUrl() {
        return baseUrl() + "/realms/" + KeycloakRealm.NAME;
    }

    public URI tokenEndpoint() {
        return URI.create(issuerUrl() + "/protocol/openid-connect/token");
    }

    /** The admin console; log in with {@link #ADMIN_CONSOLE_USER} and {@link #adminConsolePassword()}. */
    public String adminConsoleUrl() {
        return baseUrl() + "/admin/";
    }

    /** The admin console's password, kept in {@code dataDir/admin-console.password}. */
    public String adminConsolePassword() {
        return adminConsolePassword;
    }

    public KeycloakRealm realm() {
        return realm;
    }

    public Path dataDirectory() {
        return dataDir;
    }

    public Path logFile() {
        return dataDir.resolve("keycloak.log");
    }

    /**
     * Adds a project to the running realm through Keycloak's admin API: its groups {@code project:{key}:{role}} and a
     * user per role (password = user name), as {@link KeycloakRealm#withProject} does at import; what exists already
     * stays as it is. The realm settings this server imports are left alone: were they to change, a restart would
     * import the realm afresh, under new signing keys, and every token the services hold would be refused until it
     * expired. The users live in Keycloak's database, which a restart keeps.
     */
    public synchronized void addProject(String projectKey) {
        if (!KeycloakRealm.PROJECT_KEY.matcher(projectKey).matches()) {
            throw new IllegalArgumentException("a project key is [a-z0-9-]{1,64}");
        }
        String adminToken = adminToken();
        for (String role : KeycloakRealm.PROJECT_ROLES) {
            createIfAbsent(adminToken, "/groups",
                    Json.createObjectBuilder().add("name", KeycloakRealm.projectGroup(projectKey, role)).build());
            String user = KeycloakRealm.projectUser(projectKey, role);
            createIfAbsent(adminToken, "/users", KeycloakRealm.userJson(new KeycloakRealm.User(user, user,
                    List.of(KeycloakRealm.projectGroup(projectKey, role)))).build());
        }
    }

    /**
     * Makes sure the running realm has the realm's web client {@code clientId} ({@link KeycloakRealm#withWebClient})
     * with its current secret and redirect URIs, through Keycloak's admin API: created when absent (a fresh realm, or
     * one imported before the client was added), updated in place otherwise. {@link #start} calls it for every web
     * client of the realm; call it after adding one to a running server. As {@link #addProject}, it leaves the
     * imported realm settings and the signing keys alone.
     */
    public synchronized void ensureWebClient(String clientId) {
        KeycloakRealm.WebClient client = realm.webClient(clientId);
        String adminToken = adminToken();
        JsonObject representation = KeycloakRealm.webClientJson(client).build();
        HttpResponse<String> found = admin(adminToken, "GET",
                "/clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null);
        if (found.statusCode() != 200) {
            throw adminFailure(found, "GET /clients");
        }
        List<JsonObject> existing;
        try (JsonReader reader = Json.createReader(new StringReader(found.body()))) {
            existing = reader.readArray().getValuesAs(JsonObject.class);
        }
        if (existing.isEmpty()) {
            HttpResponse<String> created = admin(adminToken, "POST", "/clients", representation);
            if (created.statusCode() != 201 && created.statusCode() != 409) {
                throw adminFailure(created, "POST /clients");
            }
            return;
        }
        String id = existing.get(0).getString("id");
        HttpResponse<String> updated = admin(adminToken, "PUT", "/clients/" + id, representation);
        if (updated.statusCode() != 204) {
            throw adminFailure(updated, "PUT /clients/{id}");
        }
    }

    private String adminToken() {
        return token(URI.create(baseUrl() + "/realms/master/protocol/openid-connect/token"),
                Map.of("grant_type", "password", "client_id", "admin-cli", "username", ADMIN_CONSOLE_USER, "password",
                        adminConsolePassword),
                "the admin console user");
    }

    private HttpResponse<String> admin(String adminToken, String method, String path, JsonObject body) {
        try {
            HttpRequest.Builder request = HttpRequest
                    .newBuilder(URI.create(baseUrl() + "/admin/realms/" + KeycloakRealm.NAME + path))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminToken);
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json").method(method,
                        HttpRequest.BodyPublishers.ofString(body.toString()));
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak's admin API did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling Keycloak's admin API", e);
        }
    }

    private static IllegalStateException adminFailure(HttpResponse<String> response, String call) {
        return new IllegalStateException("Keycloak's admin API answered " + response.statusCode() + " to " + call
                + ": " + json(response.body()).getString("errorMessage", ""));
    }

    private void createIfAbsent(String adminToken, String path, JsonObject representation) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/realms/" + KeycloakRealm.NAME + path))
                            .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminToken)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(representation.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201 && response.statusCode() != 409) {
                throw new IllegalStateException("Keycloak's admin API answered " + response.statusCode() + " to POST "
                        + path + ": " + json(response.body()).getString("errorMessage", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak's admin API did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling Keycloak's admin API", e);
        }
    }

    /** A user's access token, by the password grant of {@link KeycloakRealm#CLI_CLIENT}. */
    public String passwordToken(String username, String password) {
        return token(tokenEndpoint(),
                Map.of("grant_type", "password", "client_id", KeycloakRealm.CLI_CLIENT, "username", username,
                        "password", password),
                "user " + username);
    }

    /** A user of the realm's access token, with the password the realm import set. */
    public String passwordToken(String username) {
        return passwordToken(username, realm.user(username).password());
    }

    /** A confidential client's service-account access token, by client credentials. */
    public String clientCredentialsToken(String clientId, String secret) {
        return token(tokenEndpoint(),
                Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret),
                "client " + clientId);
    }

    /** The access token of {@link KeycloakRealm#SERVICES_CLIENT} (groups: {@code service}). */
    public String serviceToken() {
        return clientCredentialsToken(KeycloakRealm.SERVICES_CLIENT, realm.servicesClientSecret());
    }

    private static String token(URI endpoint, Map<String, String> form, String who) {
        String body = form.entrySet().stream()
                .map(entry -> URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            JsonObject answer = json(response.body());
            if (response.statusCode() != 200 || !answer.containsKey("access_token")) {
                // Keycloak's error and description name no secret.
                throw new IllegalStateException("Keycloak refused a token to " + who + ": HTTP "
                        + response.statusCode() + " " + answer.getString("error", "") + " "
                        + answer.getString("error_description", ""));
            }
            return ((JsonString) answer.get("access_token")).getString();
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak did not answer at " + endpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while getting a token from Keycloak", e);
        }
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        } catch (RuntimeException e) {
            return JsonObject.EMPTY_JSON_OBJECT;
        }
    }

    /**
     * What makes a service trust this realm's tokens ({@code quarkus.oidc.auth-server-url}) and get its own service
     * token from it (quarkus-oidc-client, client credentials of {@link KeycloakRealm#SERVICES_CLIENT}). The client
     * secret, {@link #CLIENT_SECRET_PROPERTY}, must travel in the environment.
     */
    public Map<String, String> serviceProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.oidc.auth-server-url", issuerUrl());
        properties.put("quarkus.oidc-client.auth-server-url", issuerUrl());
        properties.put("quarkus.oidc-client.client-id", KeycloakRealm.SERVICES_CLIENT);
        properties.put(CLIENT_SECRET_PROPERTY, realm.servicesClientSecret());
        return properties;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the server at once, as a crash would. */
    public synchronized void kill() {
        stopProcessTree(true);
    }

    @Override
    public synchronized void close() {
        stopProcessTree(false);
    }

    /** Stops the server JVM and anything it started. */
    private void stopProcessTree(boolean forcibly) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = ProcessHandle.of(process.pid())
                .map(handle -> handle.descendants().toList()).orElse(List.of());
        if (forcibly) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.kill();
        } else {
            process.close();
        }
        descendants.forEach(handle -> {
            handle.destroyForcibly();
            handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> handle).join();
        });
    }
}
