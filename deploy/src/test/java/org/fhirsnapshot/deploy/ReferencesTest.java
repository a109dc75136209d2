package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the Deployments reference exists: ConfigMaps (and their keys) in the rendered overlay, Secrets (and their keys)
 * in deploy/README.md's table of what operators provide; and every configuration key a ConfigMap sets is one the
 * service reads.
 */
class ReferencesTest {

    /**
     * Environment variables for configuration without a line in the service's application.properties (so the check
     * against application.properties cannot see them), each read by a Quarkus extension or a @ConfigMapping.
     */
    private static final Set<String> KNOWN_WITHOUT_DEFAULT_LINE = Set.of(
            // quarkus-oidc (every service: bearer tokens; console: code flow): the provider's realm URL.
            "QUARKUS_OIDC_AUTH_SERVER_URL",
            // quarkus-oidc-client (the backends' service tokens, api-security's ServiceTokens).
            "QUARKUS_OIDC_CLIENT_AUTH_SERVER_URL", "QUARKUS_OIDC_CLIENT_CLIENT_ID",
            "QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET",
            // the console's OIDC client secret (quarkus-oidc; environment only, console/README.md).
            "QUARKUS_OIDC_CREDENTIALS_SECRET",
            // config-service's SecretsConfig.key (no default: environment only, config-service/README.md).
            "FHIR_SNAPSHOT_SECRETS_KEY",
            // quarkus-oidc, console behind a TLS-terminating ingress.
            "QUARKUS_OIDC_AUTHENTICATION_FORCE_REDIRECT_HTTPS_SCHEME",
            // console's ConsoleConfig.allowedOrigins.
            "FHIR_SNAPSHOT_CONSOLE_ALLOWED_ORIGINS");

    private static final Pattern SECRET_ROW = Pattern.compile("^\\| `([a-z0-9-]+)` \\| ((?:`[^`]+`(?:, )?)+) \\|",
            Pattern.MULTILINE);

    /** deploy/README.md's Secrets table: name → keys. */
    static Map<String, Set<String>> documentedSecrets() {
        String readme = Manifests.read(Manifests.deployDir().resolve("README.md"));
        Map<String, Set<String>> secrets = new TreeMap<>();
        Matcher row = SECRET_ROW.matcher(readme);
        while (row.find()) {
            Set<String> keys = new TreeSet<>();
            Matcher key = Pattern.compile("`([^`]+)`").matcher(row.group(2));
            while (key.find()) {
                keys.add(key.group(1));
            }
            secrets.put(row.group(1), keys);
        }
        return secrets;
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void everySecretKeyReferencedIsOneOperatorsAreToldToProvide(String overlay) {
        Map<String, Set<String>> documented = documentedSecrets();
        assertThat(documented).as("deploy/README.md's table of Secrets").isNotEmpty();
        Map<String, Set<String>> referenced = new TreeMap<>();
        for (JsonNode deployment : Manifests.ofKind(Manifests.overlay(overlay), "Deployment")) {
            for (JsonNode env : Manifests.container(deployment).path("env")) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode()) {
                    referenced.computeIfAbsent(ref.path("name").asText(), k -> new TreeSet<>())
                            .add(ref.path("key").asText());
                }
            }
            assertThat(Manifests.container(deployment).path("envFrom").findValues("secretRef"))
                    .as("whole Secrets as environment (undocumented keys)").isEmpty();
        }
        assertThat(referenced).isNotEmpty();
        referenced.forEach((secret, keys) -> {
            assertThat(documented).as("deploy/README.md documents Secret %s", secret).containsKey(secret);
            assertThat(documented.get(secret)).as("keys of Secret %s in deploy/README.md", secret)
                    .containsAll(keys);
        });
        assertThat(referenced.keySet()).as("no Secret documented that nothing uses")
                .containsAll(documented.keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void everyConfigMapReferencedExistsAndEveryKeyIsOneTheServiceReads(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        Set<String> configMaps = new HashSet<>();
        Manifests.ofKind(objects, "ConfigMap").forEach(c -> configMaps.add(c.path("metadata").path("name").asText()));
        for (String service : Manifests.SERVICES) {
            JsonNode container = Manifests.container(Manifests.named(objects, "Deployment", service));
            Properties properties = Manifests.applicationProperties(service);
            Set<String> known = new HashSet<>(KNOWN_WITHOUT_DEFAULT_LINE);
            properties.stringPropertyNames().forEach(key -> known.add(Manifests.environmentVariable(key)));
            assertThat(container.path("envFrom")).as("%s takes configuration from ConfigMaps", service).isNotEmpty();
            for (JsonNode source : container.path("envFrom")) {
                String name = source.path("configMapRef").path("name").asText();
                assertThat(configMaps).as("ConfigMap %s of %s", name, service).contains(name);
                JsonNode data = Manifests.named(objects, "ConfigMap", name).path("data");
                data.fieldNames().forEachRemaining(key -> assertThat(known)
                        .as("%s (ConfigMap %s) is a key %s reads", key, name, service).contains(key));
            }
            for (JsonNode env : container.path("env")) {
                JsonNode ref = env.path("valueFrom").path("configMapKeyRef");
                if (!ref.isMissingNode()) {
                    assertThat(Manifests.named(objects, "ConfigMap", ref.path("name").asText()).path("data")
                            .has(ref.path("key").asText())).isTrue();
                }
                if (env.path("valueFrom").has("secretKeyRef")) {
                    assertThat(known).as("%s (from a Secret) is a key %s reads", env.path("name").asText(), service)
                            .contains(env.path("name").asText());
                }
            }
        }
    }
}
