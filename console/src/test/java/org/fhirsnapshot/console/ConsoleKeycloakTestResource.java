package org.fhirsnapshot.console;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import org.fhirsnapshot.infra.KeycloakServer;

/**
 * Points the console at {@link ConsoleKeycloak}'s realm: issuer, client secret, and the test port that the client's
 * redirect URI names. Replaces test-infra's test-key settings, which suit bearer-token services only.
 */
public class ConsoleKeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KeycloakServer keycloak = ConsoleKeycloak.server();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.test-port", String.valueOf(ConsoleKeycloak.consolePort()));
        config.put("quarkus.oidc.auth-server-url", keycloak.issuerUrl());
        config.put("quarkus.oidc.token.issuer", keycloak.issuerUrl());
        // An empty value unsets test-infra's quarkus.oidc.public-key: keys come from the realm's JWKS.
        config.put("quarkus.oidc.public-key", "");
        config.put("quarkus.oidc.credentials.secret", ConsoleKeycloak.consoleSecret());
        return config;
    }

    @Override
    public void stop() {
        // The server lives as long as the test JVM; a shutdown hook ends it.
    }
}
