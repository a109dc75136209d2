package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replicas, disruption budgets, images and the pods' security settings of every overlay. */
class DeploymentShapeTest {

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void theConsoleAndMrnServiceRunOneReplica(String overlay) {
        // console: sessions in memory (console/README.md); mrn-service: live status events per replica.
        for (String service : List.of("console", "mrn-service")) {
            assertThat(Manifests.named(Manifests.overlay(overlay), "Deployment", service).path("spec").path("replicas")
                    .asInt()).as("replicas of %s", service).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void noDisruptionBudgetBlocksDrainingANode(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        for (String service : Manifests.SERVICES) {
            JsonNode pdb = Manifests.named(objects, "PodDisruptionBudget", service).path("spec");
            assertThat(pdb.path("selector").path("matchLabels").path("app.kubernetes.io/name").asText())
                    .isEqualTo(service);
            assertThat(pdb.has("minAvailable")).as("minAvailable could block a drain").isFalse();
            assertThat(pdb.path("maxUnavailable").asInt()).isGreaterThanOrEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void everyImageComesFromTheOverlaysRegistryWithTheGeneratedTag(String overlay) {
        for (String service : Manifests.SERVICES) {
            String image = Manifests.container(Manifests.named(Manifests.overlay(overlay), "Deployment", service))
                    .path("image").asText();
            String base = Manifests.container(Manifests.named(Manifests.render("base"), "Deployment", service))
                    .path("image").asText();
            assertThat(base).startsWith("docker.io/fhir-snapshot/" + service + ":");
            assertThat(image).doesNotStartWith("docker.io/").endsWith("/fhir-snapshot/" + base.substring(
                    "docker.io/fhir-snapshot/".length()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void everyPodRunsAsNonRootOnAReadOnlyRootFileSystem(String overlay) {
        for (JsonNode deployment : Manifests.ofKind(Manifests.overlay(overlay), "Deployment")) {
            String name = deployment.path("metadata").path("name").asText();
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(pod.path("securityContext").path("runAsUser").asInt()).as(name).isPositive();
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(name).isFalse();
            JsonNode container = Manifests.container(deployment).path("securityContext");
            assertThat(container.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
            assertThat(container.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
            assertThat(container.path("capabilities").path("drop")).extracting(JsonNode::asText).as(name)
                    .containsExactly("ALL");
            assertThat(container.path("seccompProfile").path("type").asText()).as(name).isEqualTo("RuntimeDefault");
            // Writable places: /tmp (emptyDir) and, for the payload store's users, its volume.
            assertThat(Manifests.container(deployment).path("volumeMounts").findValuesAsText("mountPath")).as(name)
                    .contains("/tmp");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void thePayloadStoreIsOneVolumeSharedByFetchWorkerAndArchiveService(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        for (String service : List.of("fetch-worker", "archive-service")) {
            JsonNode deployment = Manifests.named(objects, "Deployment", service);
            String directory = Manifests.named(objects, "ConfigMap", KafkaAndScalingTest.configMapName(objects,
                    service + "-config")).path("data").path("FHIR_SNAPSHOT_PAYLOAD_STORE_DIRECTORY").asText();
            JsonNode mount = null;
            for (JsonNode m : Manifests.container(deployment).path("volumeMounts")) {
                if (m.path("mountPath").asText().equals(directory)) {
                    mount = m;
                }
            }
            assertThat(mount).as("%s mounts its payload directory %s", service, directory).isNotNull();
            String volumeName = mount.path("name").asText();
            JsonNode volume = null;
            for (JsonNode v : deployment.path("spec").path("template").path("spec").path("volumes")) {
                if (v.path("name").asText().equals(volumeName)) {
                    volume = v;
                }
            }
            assertThat(volume.path("persistentVolumeClaim").path("claimName").asText())
                    .isEqualTo("fhir-snapshot-payloads");
        }
        Manifests.named(objects, "PersistentVolumeClaim", "fhir-snapshot-payloads");
    }
}
