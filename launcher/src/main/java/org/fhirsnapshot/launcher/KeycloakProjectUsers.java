package org.fhirsnapshot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fhirsnapshot.infra.KeycloakRealm;
import org.fhirsnapshot.infra.KeycloakServer;

/**
 * Gives a project its groups {@code project:{key}:{role}} and a user per role ({@code {key}-{role}}, password = user
 * name) in the running realm, through Keycloak's admin API, as {@link KeycloakServer#addProject} does, but without
 * changing the realm that the server imports at start: a restart of Keycloak (after a crash) then keeps its database,
 * and with it the realm's signing keys, so that the tokens the services and users hold stay valid. Users that exist
 * already stay as they are.
 */
final class KeycloakProjectUsers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final KeycloakServer keycloak;

    KeycloakProjectUsers(KeycloakServer keycloak) {
        this.keycloak = keycloak;
    }

    /** Adds the project's groups and users (each one that is missing). */
    void add(String projectKey) {
        String adminToken = adminConsoleToken();
        for (String role : KeycloakRealm.PROJECT_ROLES) {
            String group = KeycloakRealm.projectGroup(projectKey, role);
            String user = KeycloakRealm.projectUser(projectKey, role);
            createIfAbsent(adminToken, "/groups", Map.of("name", group));
            // A complete profile: Keycloak refuses a password grant for an account that is "not fully set up".
            createIfAbsent(adminToken, "/users", Map.of("username", user, "enabled", true, "email",
                    user + "@fhir-snapshot.example.org", "emailVerified", true, "firstName", capitalized(projectKey),
                    "lastName", capitalized(role), "credentials", List.of(Map.of("type", "password", "value", user,
                            "temporary", false)),
                    "groups", List.of("/" + group)));
        }
    }

    private String adminConsoleToken() {
        String form = "grant_type=password&client_id=admin-cli&username="
                + URLEncoder.encode(KeycloakServer.ADMIN_CONSOLE_USER, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(keycloak.adminConsolePassword(), StandardCharsets.UTF_8);
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(keycloak.baseUrl()
                + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        String token = read(response.body()).path("access_token").asText("");
        if (response.statusCode() != 200 || token.isEmpty()) {
            throw new IllegalStateException("Keycloak refused the admin console user a token: HTTP "
                    + response.statusCode());
        }
        return token;
    }

    private void createIfAbsent(String adminToken, String path, Map<String, Object> representation) {
        try {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(keycloak.baseUrl()
                    + "/admin/realms/" + KeycloakRealm.NAME + path)).header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(representation))));
            if (response.statusCode() != 201 && response.statusCode() != 409) {
                throw new IllegalStateException("Keycloak's admin API answered " + response.statusCode()
                        + " to POST " + path + ": " + read(response.body()).path("errorMessage").asText(""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak's admin API did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling Keycloak's admin API", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String capitalized(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
