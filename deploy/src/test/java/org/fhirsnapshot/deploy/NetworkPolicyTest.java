package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NetworkPolicies let through exactly the calls the code makes: each service's REST clients (found in its
 * sources), the console's forwarding targets, Kafka for the services with Kafka channels, PostgreSQL for the services
 * with a datasource; everything else is denied by default.
 */
class NetworkPolicyTest {

    private static final Pattern REST_CLIENT = Pattern.compile("@RegisterRestClient\\(configKey = \"([a-z-]+)\"\\)");

    /** Whom each service calls over HTTP, from its code: service → callees. */
    static Map<String, Set<String>> callsInCode() {
        Map<String, Set<String>> calls = new TreeMap<>();
        for (String service : Manifests.SERVICES) {
            Set<String> callees = new TreeSet<>();
            Path sources = Manifests.repositoryRoot().resolve(service).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(sources)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    Matcher client = REST_CLIENT.matcher(Manifests.read(f));
                    while (client.find()) {
                        callees.add(client.group(1));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // The console forwards /api/** to the services named by fhir-snapshot.console.services.<short name>.
            Manifests.applicationProperties(service).stringPropertyNames().stream()
                    .filter(key -> key.startsWith("fhir-snapshot.console.services."))
                    .forEach(
                            key -> callees.add(key.substring("fhir-snapshot.console.services.".length()) + "-service"));
            calls.put(service, callees);
        }
        return calls;
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void servicesMayCallExactlyTheServicesTheirCodeCalls(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        Map<String, Set<String>> calls = callsInCode();
        assertThat(calls.get("console")).containsExactlyInAnyOrder("config-service", "mrn-service", "sync-service",
                "archive-service");
        assertThat(calls.get("fetch-worker")).containsExactlyInAnyOrder("config-service", "mrn-service");
        for (String service : Manifests.SERVICES) {
            JsonNode policy = Manifests.named(objects, "NetworkPolicy", service).path("spec");
            assertThat(policy.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText())
                    .isEqualTo(service);
            assertThat(podNames(policy.path("egress"), "to")).as("%s may call", service)
                    .containsExactlyInAnyOrderElementsOf(calls.get(service));
            if (!service.equals("console")) {
                Set<String> callers = new TreeSet<>();
                calls.forEach((caller, callees) -> {
                    if (callees.contains(service)) {
                        callers.add(caller);
                    }
                });
                assertThat(podNames(policy.path("ingress"), "from")).as("%s may be called by", service)
                        .containsExactlyInAnyOrderElementsOf(callers);
                int port = Integer.parseInt(Manifests.applicationProperties(service).getProperty("quarkus.http.port"));
                for (JsonNode rule : policy.path("ingress")) {
                    assertThat(rule.path("ports").findValues("port")).extracting(JsonNode::asInt).containsOnly(port);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void kafkaAndPostgresqlAreReachableByExactlyTheServicesThatUseThem(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        Set<String> kafka = new TreeSet<>();
        Set<String> postgresql = new TreeSet<>();
        for (String service : Manifests.SERVICES) {
            Properties properties = Manifests.applicationProperties(service);
            if (properties.containsKey("kafka.bootstrap.servers")) {
                kafka.add(service);
            }
            if (properties.containsKey("quarkus.datasource.db-kind")) {
                postgresql.add(service);
            }
        }
        assertThat(selected(Manifests.named(objects, "NetworkPolicy", "allow-kafka-egress")))
                .containsExactlyInAnyOrderElementsOf(kafka);
        assertThat(selected(Manifests.named(objects, "NetworkPolicy", "allow-postgresql-egress")))
                .containsExactlyInAnyOrderElementsOf(postgresql);
        assertThat(selected(Manifests.named(objects, "NetworkPolicy", "allow-oidc-egress")))
                .containsExactlyInAnyOrderElementsOf(Manifests.SERVICES);
        assertThat(selected(Manifests.named(objects, "NetworkPolicy", "allow-ehr-egress")))
                .containsExactlyInAnyOrder("fetch-worker", "config-service");
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void everythingElseIsDeniedAndDnsWorks(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        JsonNode deny = Manifests.named(objects, "NetworkPolicy", "default-deny").path("spec");
        assertThat(deny.path("podSelector").size()).as("selects every pod").isZero();
        assertThat(deny.path("policyTypes")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Ingress",
                "Egress");
        assertThat(deny.has("ingress") || deny.has("egress")).isFalse();
        JsonNode dns = Manifests.named(objects, "NetworkPolicy", "allow-dns-egress").path("spec");
        assertThat(dns.path("podSelector").size()).isZero();
        assertThat(dns.path("egress").findValues("port")).extracting(JsonNode::asInt).containsOnly(53);
    }

    /** The app.kubernetes.io/name of the pods that rules' peers select. */
    private static Set<String> podNames(JsonNode rules, String peers) {
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : rules) {
            for (JsonNode peer : rule.path(peers)) {
                String name = peer.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText("");
                if (!name.isEmpty() && !peer.has("namespaceSelector")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The app.kubernetes.io/name values a policy's podSelector (an In expression) selects. */
    private static Set<String> selected(JsonNode policy) {
        Set<String> names = new TreeSet<>();
        for (JsonNode expression : policy.path("spec").path("podSelector").path("matchExpressions")) {
            assertThat(expression.path("key").asText()).isEqualTo("app.kubernetes.io/name");
            assertThat(expression.path("operator").asText()).isEqualTo("In");
            expression.path("values").forEach(v -> names.add(v.asText()));
        }
        return names;
    }
}
