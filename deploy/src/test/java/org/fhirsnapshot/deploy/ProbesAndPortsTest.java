package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Probes, ports and scrape annotations name what each service really serves: SmallRye Health's paths under the
 * service's non-application root, its quarkus.http.port, Micrometer's Prometheus endpoint.
 */
class ProbesAndPortsTest {

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void probesAreOnTheHealthPathsAndPortTheServiceServes(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        for (String service : Manifests.SERVICES) {
            Properties properties = Manifests.applicationProperties(service);
            assertThat(pom(service)).as("%s serves SmallRye Health", service)
                    .contains("<artifactId>quarkus-smallrye-health</artifactId>");
            int port = Integer.parseInt(properties.getProperty("quarkus.http.port"));
            String health = "/" + properties.getProperty("quarkus.http.non-application-root-path", "q") + "/"
                    + properties.getProperty("quarkus.smallrye-health.root-path", "health");
            JsonNode container = Manifests.container(Manifests.named(objects, "Deployment", service));
            assertProbe(service, container.path("livenessProbe"), health + "/"
                    + properties.getProperty("quarkus.smallrye-health.liveness-path", "live"), port);
            assertProbe(service, container.path("readinessProbe"), health + "/"
                    + properties.getProperty("quarkus.smallrye-health.readiness-path", "ready"), port);
            assertProbe(service, container.path("startupProbe"), health + "/"
                    + properties.getProperty("quarkus.smallrye-health.startup-path", "started"), port);
            assertThat(container.path("ports").path(0).path("containerPort").asInt()).isEqualTo(port);

            JsonNode kubernetesService = Manifests.named(objects, "Service", service);
            assertThat(kubernetesService.path("spec").path("ports").path(0).path("port").asInt())
                    .as("%s's Service answers on the service's own port", service).isEqualTo(port);
            assertThat(kubernetesService.path("spec").path("ports").path(0).path("targetPort").asInt()).isEqualTo(port);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void theStartupProbeWaitsLongerThanTheLivenessProbe(String overlay) {
        for (String service : Manifests.SERVICES) {
            JsonNode container = Manifests
                    .container(Manifests.named(Manifests.overlay(overlay), "Deployment", service));
            long startup = window(container.path("startupProbe"));
            assertThat(startup).as("%s may take this long to start (Flyway migrations)", service)
                    .isGreaterThanOrEqualTo(120);
            assertThat(startup).isGreaterThan(window(container.path("livenessProbe")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void theConsoleLetsProbesThroughWithoutALogin(String overlay) {
        // The console authenticates every path (quarkus.http.auth.permission.login.paths=/*) except its "open" ones;
        // a probe answered with a redirect to the login page would count as healthy and prove nothing.
        Properties console = Manifests.applicationProperties("console");
        List<String> open = Arrays.stream(console.getProperty("quarkus.http.auth.permission.open.paths").split(","))
                .map(String::trim).toList();
        assertThat(console.getProperty("quarkus.http.auth.permission.open.policy")).isEqualTo("permit");
        JsonNode container = Manifests.container(Manifests.named(Manifests.overlay(overlay), "Deployment", "console"));
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            String path = container.path(probe).path("httpGet").path("path").asText();
            assertThat(open).as("open paths of the console cover %s", path)
                    .anyMatch(pattern -> pattern.equals(path)
                            || pattern.endsWith("/*") && path.startsWith(pattern.substring(0, pattern.length() - 1)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void prometheusScrapesTheMetricsEndpointOfEveryService(String overlay) {
        for (String service : Manifests.SERVICES) {
            Properties properties = Manifests.applicationProperties(service);
            assertThat(pom(service)).as("%s serves Prometheus metrics", service)
                    .contains("<artifactId>quarkus-micrometer-registry-prometheus</artifactId>");
            JsonNode pod = Manifests.named(Manifests.overlay(overlay), "Deployment", service).path("spec")
                    .path("template").path("metadata").path("annotations");
            assertThat(pod.path("prometheus.io/scrape").asText()).isEqualTo("true");
            assertThat(pod.path("prometheus.io/path").asText()).isEqualTo("/"
                    + properties.getProperty("quarkus.http.non-application-root-path", "q") + "/metrics");
            assertThat(pod.path("prometheus.io/port").asText()).isEqualTo(properties.getProperty("quarkus.http.port"));
        }
    }

    private static void assertProbe(String service, JsonNode probe, String path, int port) {
        assertThat(probe.path("httpGet").path("path").asText()).as("%s probe path", service).isEqualTo(path);
        assertThat(probe.path("httpGet").path("port").asInt()).as("%s probe port", service).isEqualTo(port);
    }

    /** How long a probe lets a container fail before it acts, in seconds. */
    private static long window(JsonNode probe) {
        return probe.path("initialDelaySeconds").asLong(0)
                + probe.path("periodSeconds").asLong(10) * probe.path("failureThreshold").asLong(3);
    }

    private static String pom(String service) {
        return Manifests.read(Manifests.repositoryRoot().resolve(service).resolve("pom.xml"));
    }
}
