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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.fhirsnapshot.infra.KeycloakRealm;

/**
 * Tokens from the local stack's Keycloak as any OIDC client gets them, for {@code ./fhir-snapshot token} (which runs
 * in its own JVM and knows only the URL that {@link StackIdentity} recorded), and the renewal of the launcher's own.
 */
final class KeycloakLogin {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration RENEW_AHEAD = Duration.ofMinutes(1);

    private KeycloakLogin() {
    }

    /** Keycloak answered, but gave no token (a user that does not exist, a wrong password). */
    static final class Refused extends RuntimeException {

        Refused(String message) {
            super(message);
        }
    }

    /** The token endpoint of the realm {@value KeycloakRealm#NAME} of the Keycloak at {@code keycloakUrl}. */
    static URI tokenEndpoint(String keycloakUrl) {
        return URI.create(keycloakUrl + "/realms/" + KeycloakRealm.NAME + "/protocol/openid-connect/token");
    }

    /**
     * A user's access token by the password grant of the public client {@value KeycloakRealm#CLI_CLIENT}.
     *
     * @throws Refused when Keycloak refuses (its error and description, which name no secret)
     * @throws UncheckedIOException when Keycloak does not answer
     */
    static String passwordToken(String keycloakUrl, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", KeycloakRealm.CLI_CLIENT);
        form.put("username", username);
        form.put("password", password);
        String body = form.entrySet().stream()
                .map(entry -> URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        URI endpoint = tokenEndpoint(keycloakUrl);
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = parse(response.body());
            String token = answer.path("access_token").asText("");
            if (response.statusCode() != 200 || token.isEmpty()) {
                throw new Refused("HTTP " + response.statusCode() + " " + answer.path("error").asText("") + ": "
                        + answer.path("error_description").asText(""));
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak did not answer at " + endpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Keycloak for a token", e);
        }
    }

    /**
     * Tokens from {@code fetch}, each reused until a minute before the expiry its {@code exp} claim names (or half its
     * lifetime, for a short one).
     */
    static Supplier<String> renewing(Supplier<String> fetch) {
        return new Supplier<>() {
            private String token;
            private long renewAtMillis;

            @Override
            public synchronized String get() {
                long now = System.currentTimeMillis();
                if (token == null || now >= renewAtMillis) {
                    token = fetch.get();
                    long expiresAt = expiryMillis(token);
                    long ahead = Math.min(RENEW_AHEAD.toMillis(), Math.max(0, expiresAt - now) / 2);
                    renewAtMillis = expiresAt - ahead;
                }
                return token;
            }
        };
    }

    /** The {@code exp} of a JWT in milliseconds since the epoch (now, so that it is renewed at once, if none). */
    static long expiryMillis(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length == 3) {
            try {
                JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                if (claims.path("exp").canConvertToLong()) {
                    return claims.path("exp").asLong() * 1000;
                }
            } catch (IOException | IllegalArgumentException e) {
                // Not a JWT we can read: renew at every call.
            }
        }
        return System.currentTimeMillis();
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
