package org.fhirsnapshot.infra;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonWriter;
import jakarta.json.JsonWriterFactory;
import jakarta.json.stream.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Keycloak realm of FHIR Snapshot, as the realm-import JSON that {@link KeycloakServer} hands to Keycloak at
 * start-up. Every client of the realm puts the caller's group names, without the leading slash, into the
 * {@value #GROUPS_CLAIM} claim of the access token; that claim carries the roles of api-security: {@code admin},
 * {@code service} and {@code project:{key}:{reader|exporter|manager}}.
 *
 * <p>
 * {@link #create(String)} gives the groups {@code admin} and {@code service}, the user {@code admin} (password
 * {@code admin}), the public client {@value #CLI_CLIENT} (password grant, for people and scripts) and the
 * confidential client {@value #SERVICES_CLIENT} (client credentials; its service account is in {@code service}),
 * shared by every service. {@link #withProject(String)} adds a project's three groups and a user per role;
 * {@link #withWebClient} a web application's client such as the console's ({@value #CONSOLE_CLIENT}). Local use only:
 * passwords equal user names unless given.
 */
public final class KeycloakRealm {

    /** The realm's name; its URL is {@code <keycloak>/realms/fhir-snapshot}. */
    public static final String NAME = "fhir-snapshot";
    /** The public client with which users get tokens (password grant). */
    public static final String CLI_CLIENT = "fhir-snapshot-cli";
    /** The confidential client with which the services get their service tokens (client credentials). */
    public static final String SERVICES_CLIENT = "fhir-snapshot-services";
    /** The web console's confidential client (authorization code flow with PKCE; {@link #withWebClient}). */
    public static final String CONSOLE_CLIENT = "fhir-snapshot-console";
    /** The access-token claim that holds the caller's groups (api-security's default roles claim). */
    public static final String GROUPS_CLAIM = "groups";
    public static final String ADMIN_GROUP = "admin";
    public static final String SERVICE_GROUP = "service";
    /** The user in {@link #ADMIN_GROUP} that {@link #create} adds. */
    public static final String ADMIN_USER = "admin";
    /** The project roles, as api-security's {@code ProjectRole} labels them. */
    public static final List<String> PROJECT_ROLES = List.of("reader", "exporter", "manager");

    static final Pattern PROJECT_KEY = Pattern.compile("[a-z0-9-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Set<String> groups = new LinkedHashSet<>();
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, ConfidentialClient> clients = new LinkedHashMap<>();
    private final Map<String, WebClient> webClients = new LinkedHashMap<>();
    private Duration accessTokenLifespan = Duration.ofMinutes(15);

    private KeycloakRealm() {
    }

    /** A user of the realm, with the password that the realm import sets. */
    public record User(String username, String password, List<String> groups) {
    }

    /** A confidential client whose service account (client credentials) is in {@code groups}. */
    public record ConfidentialClient(String clientId, String secret, List<String> groups) {
    }

    /**
     * A confidential web application that logs users in with the authorization code flow (PKCE S256) and may send
     * them back only to {@code redirectUris} (Keycloak's syntax: a trailing {@code *} matches any rest).
     */
    public record WebClient(String clientId, String secret, List<String> redirectUris) {

        public WebClient {
            redirectUris = List.copyOf(redirectUris);
        }
    }

    /**
     * The realm with groups {@code admin} and {@code service}, the user {@code admin}, the public client
     * {@value #CLI_CLIENT} and the confidential client {@value #SERVICES_CLIENT} with {@code servicesClientSecret}.
     */
    public static KeycloakRealm create(String servicesClientSecret) {
        KeycloakRealm realm = new KeycloakRealm();
        realm.groups.add(ADMIN_GROUP);
        realm.groups.add(SERVICE_GROUP);
        realm.withUser(ADMIN_USER, ADMIN_USER, ADMIN_GROUP);
        realm.withClient(SERVICES_CLIENT, servicesClientSecret, SERVICE_GROUP);
        return realm;
    }

    /** The user name of a project's user with {@code role}: {@code {key}-{role}}, e.g. {@code demo-reader}. */
    public static String projectUser(String projectKey, String role) {
        return projectKey + "-" + role;
    }

    /** The group that grants {@code role} in a project: {@code project:{key}:{role}}. */
    public static String projectGroup(String projectKey, String role) {
        return "project:" + projectKey + ":" + role;
    }

    /**
     * Adds the groups {@code project:{key}:reader|exporter|manager} and one user per role ({@code {key}-reader},
     * ...) whose password is the user name.
     */
    public KeycloakRealm withProject(String projectKey) {
        if (!PROJECT_KEY.matcher(projectKey).matches()) {
            throw new IllegalArgumentException("a project key is [a-z0-9-]{1,64}");
        }
        for (String role : PROJECT_ROLES) {
            String user = projectUser(projectKey, role);
            withUser(user, user, projectGroup(projectKey, role));
        }
        return this;
    }

    /**
     * Adds (or replaces) a user with a password and groups; groups that the realm lacks are added. Keycloak keeps user
     * names in lower case.
     */
    public KeycloakRealm withUser(String username, String password, String... groupNames) {
        String name = username.toLowerCase(Locale.ROOT);
        List<String> memberOf = List.of(groupNames);
        groups.addAll(memberOf);
        users.put(name, new User(name, password, memberOf));
        return this;
    }

    /**
     * Adds (or replaces) a confidential client with client credentials whose service account is in
     * {@code groupNames}; groups that the realm lacks are added.
     */
    public KeycloakRealm withClient(String clientId, String secret, String... groupNames) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("client " + clientId + " needs a secret");
        }
        List<String> memberOf = List.of(groupNames);
        groups.addAll(memberOf);
        clients.put(clientId, new ConfidentialClient(clientId, secret, memberOf));
        return this;
    }

    /**
     * Adds (or replaces) a confidential web client for the authorization code flow: standard flow with PKCE
     * ({@code S256}), no service account, no password grant, web origins {@code +} (those of its redirect URIs), the
     * same post-logout redirect URIs as {@code redirectUris}, and the groups claim in its tokens.
     */
    public KeycloakRealm withWebClient(String clientId, String secret, List<String> redirectUris) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("client " + clientId + " needs a secret");
        }
        if (redirectUris.isEmpty()) {
            throw new IllegalArgumentException("web client " + clientId + " needs at least one redirect URI");
        }
        webClients.put(clientId, new WebClient(clientId, secret, redirectUris));
        return this;
    }

    /** How long an access token is valid (default 15 minutes). */
    public KeycloakRealm withAccessTokenLifespan(Duration lifespan) {
        this.accessTokenLifespan = lifespan;
        return this;
    }

    public List<String> groups() {
        return List.copyOf(groups);
    }

    public Map<String, User> users() {
        return Map.copyOf(users);
    }

    public User user(String username) {
        User user = users.get(username.toLowerCase(Locale.ROOT));
        if (user == null) {
            throw new IllegalArgumentException("the realm has no user " + username);
        }
        return user;
    }

    public ConfidentialClient client(String clientId) {
        ConfidentialClient client = clients.get(clientId);
        if (client == null) {
            throw new IllegalArgumentException("the realm has no confidential client " + clientId);
        }
        return client;
    }

    public WebClient webClient(String clientId) {
        WebClient client = webClients.get(clientId);
        if (client == null) {
            throw new IllegalArgumentException("the realm has no web client " + clientId);
        }
        return client;
    }

    /** The secret of {@value #SERVICES_CLIENT}. */
    public String servicesClientSecret() {
        return client(SERVICES_CLIENT).secret();
    }

    /**
     * A random client secret kept in {@code file} (owner-only), created on first use, so that a restart on the same
     * data directory keeps the secret that Keycloak's database holds.
     */
    public static String loadOrCreateSecret(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".secret", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, secret, StandardCharsets.UTF_8);
            Files.move(temporary, file);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a secret in " + file, e);
        }
    }

    /** The web clients, which {@link KeycloakServer} adds through the admin API (they are not in {@link #toJson}). */
    public List<WebClient> webClients() {
        return List.copyOf(webClients.values());
    }

    /**
     * The realm as Keycloak's realm-import JSON. Web clients are left out: {@link KeycloakServer} adds them through
     * the admin API at every start, so that adding one to a realm never changes this JSON, which would make the server
     * import the realm afresh (new signing keys, project users lost).
     */
    public String toJson() {
        JsonArrayBuilder groupArray = Json.createArrayBuilder();
        groups.forEach(group -> groupArray.add(Json.createObjectBuilder().add("name", group)));
        JsonArrayBuilder userArray = Json.createArrayBuilder();
        users.values().forEach(user -> userArray.add(userJson(user)));
        JsonArrayBuilder clientArray = Json.createArrayBuilder().add(cliClientJson());
        for (ConfidentialClient client : clients.values()) {
            clientArray.add(confidentialClientJson(client));
            userArray.add(Json.createObjectBuilder()
                    .add("username", "service-account-" + client.clientId().toLowerCase(Locale.ROOT))
                    .add("enabled", true).add("serviceAccountClientId", client.clientId())
                    .add("groups", groupPaths(client.groups())));
        }
        JsonObject realm = Json.createObjectBuilder().add("realm", NAME).add("enabled", true)
                .add("displayName", "FHIR Snapshot")
                // Loopback HTTP is allowed; any other address would need HTTPS.
                .add("sslRequired", "external").add("registrationAllowed", false)
                .add("accessTokenLifespan", accessTokenLifespan.toSeconds()).add("groups", groupArray)
                .add("users", userArray).add("clients", clientArray).build();
        StringWriter text = new StringWriter();
        JsonWriterFactory factory = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true));
        try (JsonWriter writer = factory.createWriter(text)) {
            writer.write(realm);
        }
        return text.toString().strip() + "\n";
    }

    /** A user as Keycloak's user representation (realm import and admin API alike). */
    static JsonObjectBuilder userJson(User user) {
        // A complete profile: Keycloak refuses a password grant for an account that is "not fully set up".
        String[] names = user.username().split("-", 2);
        return Json.createObjectBuilder().add("username", user.username()).add("enabled", true)
                .add("email", user.username() + "@fhir-snapshot.example.org").add("emailVerified", true)
                .add("firstName", capitalized(names[0]))
                .add("lastName", capitalized(names.length > 1 ? names[1] : "user"))
                .add("credentials",
                        Json.createArrayBuilder().add(Json.createObjectBuilder().add("type", "password")
                                .add("value", user.password()).add("temporary", false)))
                .add("groups", groupPaths(user.groups()));
    }

    private static JsonArrayBuilder groupPaths(List<String> names) {
        JsonArrayBuilder paths = Json.createArrayBuilder();
        names.forEach(name -> paths.add("/" + name));
        return paths;
    }

    private static String capitalized(String word) {
        return word.isEmpty() ? word : word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }

    private static JsonObjectBuilder cliClientJson() {
        return Json.createObjectBuilder().add("clientId", CLI_CLIENT).add("name", "FHIR Snapshot command line")
                .add("enabled", true).add("protocol", "openid-connect").add("publicClient", true)
                .add("directAccessGrantsEnabled", true).add("standardFlowEnabled", false)
                .add("protocolMappers", Json.createArrayBuilder().add(groupsMapper()));
    }

    private static JsonObjectBuilder confidentialClientJson(ConfidentialClient client) {
        return Json.createObjectBuilder().add("clientId", client.clientId()).add("enabled", true)
                .add("protocol", "openid-connect").add("publicClient", false)
                .add("clientAuthenticatorType", "client-secret").add("secret", client.secret())
                .add("serviceAccountsEnabled", true).add("standardFlowEnabled", false)
                .add("directAccessGrantsEnabled", false)
                .add("protocolMappers", Json.createArrayBuilder().add(groupsMapper()));
    }

    /** A web client as Keycloak's client representation (admin API). */
    static JsonObjectBuilder webClientJson(WebClient client) {
        JsonArrayBuilder redirectUris = Json.createArrayBuilder();
        client.redirectUris().forEach(redirectUris::add);
        return Json.createObjectBuilder().add("clientId", client.clientId()).add("name", "FHIR Snapshot console")
                .add("enabled", true).add("protocol", "openid-connect").add("publicClient", false)
                .add("clientAuthenticatorType", "client-secret").add("secret", client.secret())
                .add("standardFlowEnabled", true).add("implicitFlowEnabled", false)
                .add("directAccessGrantsEnabled", false).add("serviceAccountsEnabled", false)
                .add("frontchannelLogout", false).add("redirectUris", redirectUris)
                .add("webOrigins", Json.createArrayBuilder().add("+"))
                .add("attributes",
                        Json.createObjectBuilder().add("pkce.code.challenge.method", "S256")
                                // "+": the same URIs as redirectUris.
                                .add("post.logout.redirect.uris", "+"))
                .add("protocolMappers", Json.createArrayBuilder().add(groupsMapper()));
    }

    /** Group names without the leading slash ({@code full.path=false}) in the access token's groups claim. */
    private static JsonObjectBuilder groupsMapper() {
        return Json.createObjectBuilder().add("name", GROUPS_CLAIM).add("protocol", "openid-connect")
                .add("protocolMapper", "oidc-group-membership-mapper").add("consentRequired", false)
                .add("config",
                        Json.createObjectBuilder().add("claim.name", GROUPS_CLAIM).add("full.path", "false")
                                .add("access.token.claim", "true").add("id.token.claim", "true")
                                .add("userinfo.token.claim", "true").add("introspection.token.claim", "true"));
    }
}
