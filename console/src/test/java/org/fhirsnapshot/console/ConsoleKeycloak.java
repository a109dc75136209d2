package org.fhirsnapshot.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KeycloakRealm;
import org.fhirsnapshot.infra.KeycloakServer;

/**
 * The real Keycloak of this test JVM (local-infra's {@link KeycloakServer}, started once, on first use), with the
 * console's web client for the console's test port (added through the admin API after the import, as on every start).
 */
final class ConsoleKeycloak {

    /** Shorter than Keycloak's 15 minutes, so that the tests see the console refresh tokens (skew: 1 minute). */
    static final Duration ACCESS_TOKEN_LIFESPAN = Duration.ofSeconds(75);

    private static KeycloakServer server;
    private static int consolePort;
    private static String consoleSecret;

    private ConsoleKeycloak() {
    }

    static synchronized KeycloakServer server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("fhir-snapshot-console-keycloak");
                consolePort = FreePorts.next();
                consoleSecret = KeycloakRealm.loadOrCreateSecret(dir.resolve("console.secret"));
                KeycloakRealm realm = KeycloakRealm
                        .create(KeycloakRealm.loadOrCreateSecret(dir.resolve("services.secret")))
                        .withAccessTokenLifespan(ACCESS_TOKEN_LIFESPAN)
                        .withWebClient(KeycloakRealm.CONSOLE_CLIENT, consoleSecret, List.of(consoleUrl() + "/*"));
                // The server adds the web client through the admin API once the realm is imported.
                server = KeycloakServer.start(dir.resolve("keycloak"), 0, realm);
                KeycloakServer started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-keycloak"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** The console's address in the tests (its test port is fixed here, to be a redirect URI of the client). */
    static synchronized String consoleUrl() {
        if (consolePort == 0) {
            server();
        }
        return "http://127.0.0.1:" + consolePort;
    }

    static synchronized int consolePort() {
        server();
        return consolePort;
    }

    static synchronized String consoleSecret() {
        server();
        return consoleSecret;
    }
}
