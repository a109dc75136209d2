package org.fhirsnapshot.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;

/**
 * The configuration keys by which the launcher and the tests point a service at its database, Kafka, the other
 * services and the payload store. Every service reads exactly these keys.
 */
public final class ServiceProperties {

    /**
     * The key that encrypts config-service's stored secrets (the FHIR systems' credentials). {@link ServiceProcess}
     * passes it as the environment variable {@link #SECRETS_KEY_VARIABLE}, never on the command line.
     */
    public static final String SECRETS_KEY = "fhir-snapshot.secrets.key";
    /** {@link #SECRETS_KEY} as MicroProfile Config reads it from the environment. */
    public static final String SECRETS_KEY_VARIABLE = "FHIR_SNAPSHOT_SECRETS_KEY";

    /**
     * The local OIDC private key with which a service signs its own service tokens when no identity provider runs
     * ({@code --no-keycloak}, {@code run}, tests). Secret: passed in the environment.
     */
    public static final String LOCAL_OIDC_KEY = "fhir-snapshot.security.local-key";

    /** The console's OIDC client secret (for the authorization-code flow). Secret: passed in the environment. */
    public static final String CONSOLE_CLIENT_SECRET = "quarkus.oidc.credentials.secret";

    private ServiceProperties() {
    }

    /** Whether a property holds a secret that must not appear on a command line (visible to every local user). */
    public static boolean isSecret(String key) {
        return SECRETS_KEY.equals(key) || LOCAL_OIDC_KEY.equals(key)
                || KeycloakServer.CLIENT_SECRET_PROPERTY.equals(key) || CONSOLE_CLIENT_SECRET.equals(key);
    }

    /**
     * The properties that make a service trust tokens signed with a local OIDC key (and sign its own service tokens
     * with it), instead of an identity provider's.
     *
     * @param privateKeyPem the key, as {@link LocalTokenIssuer#loadOrCreate} keeps it
     */
    public static Map<String, String> localOidc(String privateKeyPem) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.oidc.public-key", LocalTokenIssuer.fromPem(privateKeyPem).publicKeyBase64());
        properties.put("quarkus.oidc.token.issuer", LocalTokenIssuer.ISSUER);
        properties.put(LOCAL_OIDC_KEY, privateKeyPem);
        return properties;
    }

    /** The environment variable MicroProfile Config maps to {@code key}: non-alphanumerics to _, upper case. */
    public static String environmentVariable(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /**
     * @param service the service to configure
     * @param postgres the PostgreSQL server (the service's database is created here)
     * @param kafkaBootstrap Kafka's bootstrap servers
     * @param serviceUrls the base URL of each other service it may call
     * @param payloadDirectory the payload store's directory (created here)
     * @return the properties, for config-service with {@link #SECRETS_KEY} from {@link PostgresServer#secretsKey()}
     */
    public static Map<String, String> of(Service service, PostgresServer postgres, String kafkaBootstrap,
            Map<Service, String> serviceUrls, Path payloadDirectory) {
        Map<String, String> properties = new LinkedHashMap<>();
        if (service.database() != null) {
            postgres.createDatabase(service.database());
            properties.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(service.database()));
            properties.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(service.database()));
            properties.put("quarkus.datasource.username", PostgresServer.USER);
            properties.put("quarkus.datasource.password", PostgresServer.PASSWORD);
        }
        if (service == Service.CONFIG) {
            // One key per PostgreSQL data: restarts on the same data directory decrypt what earlier runs stored.
            properties.put(SECRETS_KEY, postgres.secretsKey());
        }
        properties.put("kafka.bootstrap.servers", kafkaBootstrap);
        serviceUrls.forEach((other, url) -> {
            if (other != service && other.calledByOtherServices()) {
                properties.put("quarkus.rest-client." + other.module() + ".url", url);
            }
        });
        try {
            // The shared volume exists before any service starts, as it would in a cluster.
            Files.createDirectories(payloadDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the payload store " + payloadDirectory, e);
        }
        properties.put("fhir-snapshot.payload-store.directory", payloadDirectory.toAbsolutePath().toString());
        return properties;
    }

    /**
     * The console's properties: where the services it fronts answer, and the OIDC client with which it logs people
     * in (authorization-code flow).
     *
     * @param serviceUrls the base URL of each service
     * @param realmUrl the identity provider's realm (issuer) URL
     * @param clientId the console's client
     * @param clientSecret the console's client secret (travels in the environment, {@link #isSecret})
     */
    public static Map<String, String> console(Map<Service, String> serviceUrls, String realmUrl, String clientId,
            String clientSecret) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (Service service : List.of(Service.CONFIG, Service.MRN, Service.SYNC, Service.ARCHIVE)) {
            properties.put("fhir-snapshot.console.services." + service.name().toLowerCase(Locale.ROOT),
                    serviceUrls.get(service));
        }
        properties.put("quarkus.oidc.auth-server-url", realmUrl);
        properties.put("quarkus.oidc.client-id", clientId);
        properties.put(CONSOLE_CLIENT_SECRET, clientSecret);
        return properties;
    }
}
