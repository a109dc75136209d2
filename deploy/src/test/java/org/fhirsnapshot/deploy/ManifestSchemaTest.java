package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every object that deploy/ renders is valid for its schema: core and Prometheus Operator kinds read strictly into the
 * fabric8 model, KafkaTopic into Strimzi's, ScaledObject against KEDA's CRD schema; plus the required fields the API
 * server would insist on. A kind without a validator fails.
 */
class ManifestSchemaTest {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production", "overlays/single-node"})
    void everyRenderedObjectMatchesTheSchemaOfItsKind(String kustomization) {
        List<JsonNode> objects = Manifests.render(kustomization);
        assertThat(objects).isNotEmpty();
        for (JsonNode object : objects) {
            String kind = object.path("kind").asText();
            assertThat(kind).as("kind of %s", StrictModels.describe(object)).isIn(StrictModels.allKinds());
            ObjectMeta metadata = StrictModels.metadata(object);
            assertThat(metadata.getName()).as("name of %s", StrictModels.describe(object)).isNotBlank()
                    .hasSizeLessThanOrEqualTo(253)
                    .matches(DNS_SUBDOMAIN);
            Class<? extends HasMetadata> model = StrictModels.model(kind);
            if (model != null) {
                HasMetadata read = StrictModels.read(object, model);
                assertThat(object.path("apiVersion").asText()).as("apiVersion of %s", StrictModels.describe(object))
                        .isIn(StrictModels.apiVersions(model));
                requiredFields(read, object);
            } else {
                Set<ValidationMessage> errors = StrictModels.validateAgainstCrd(object);
                assertThat(errors).as("%s against its CRD schema", StrictModels.describe(object)).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production", "overlays/single-node"})
    void noSecretIsEmbedded(String kustomization) {
        assertThat(Manifests.ofKind(Manifests.render(kustomization), "Secret")).isEmpty();
    }

    @Test
    void theStrictReaderRefusesAnUnknownField() {
        JsonNode deployment = Manifests.named(Manifests.render("base"), "Deployment", "fetch-worker").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) Manifests.container(deployment)).put("livenesProbe", "typo");
        assertThatThrownBy(() -> StrictModels.read(deployment, Deployment.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("livenesProbe");
    }

    @Test
    void theStrictReaderRefusesAnUnknownFieldOfAKafkaTopic() {
        JsonNode topic = Manifests.ofKind(Manifests.render("base"), "KafkaTopic").get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) topic.path("spec")).put("retentionMs", 1000);
        assertThatThrownBy(() -> StrictModels.read(topic, KafkaTopic.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("retentionMs");
    }

    @Test
    void theCrdSchemaRefusesAnUnknownFieldOfAScaledObject() {
        JsonNode scaledObject = Manifests.named(Manifests.render("base"), "ScaledObject", "fetch-worker").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) scaledObject.path("spec")).put("maxReplicas", 3);
        assertThat(StrictModels.validateAgainstCrd(scaledObject)).isNotEmpty();
    }

    private static void requiredFields(HasMetadata read, JsonNode object) {
        String what = StrictModels.describe(object);
        if (read instanceof Deployment deployment) {
            Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
            assertThat(selector).as("selector of %s", what).isNotEmpty();
            assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).as("pod labels of %s", what)
                    .containsAllEntriesOf(selector);
            assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).as("containers of %s", what)
                    .isNotEmpty();
            if (deployment.getSpec().getStrategy() != null
                    && deployment.getSpec().getStrategy().getRollingUpdate() != null) {
                // An IntOrString given as a string must be a percentage (the API server refuses "1").
                for (IntOrString value : java.util.Arrays.asList(
                        deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge(),
                        deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())) {
                    if (value != null && value.getStrVal() != null) {
                        assertThat(value.getStrVal()).as("rolling update of %s", what).matches("[0-9]+%");
                    }
                }
            }
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                assertThat(container.getName()).matches(DNS_LABEL);
                assertThat(container.getImage()).as("image of %s", what).isNotBlank();
                assertThat(container.getLivenessProbe()).as("liveness probe of %s", what).isNotNull();
                assertThat(container.getReadinessProbe()).as("readiness probe of %s", what).isNotNull();
                assertThat(container.getStartupProbe()).as("startup probe of %s", what).isNotNull();
                assertThat(container.getResources().getLimits()).as("limits of %s", what).containsKeys("memory",
                        "cpu");
                assertThat(container.getResources().getRequests()).as("requests of %s", what).containsKeys("memory",
                        "cpu");
            }
        } else if (read instanceof Service service) {
            assertThat(service.getSpec().getPorts()).as("ports of %s", what).isNotEmpty()
                    .allSatisfy(port -> assertThat(port.getPort()).isPositive());
            assertThat(service.getSpec().getSelector()).as("selector of %s", what).isNotEmpty();
        } else if (read instanceof PodDisruptionBudget pdb) {
            assertThat(pdb.getSpec().getSelector()).as("selector of %s", what).isNotNull();
            assertThat(pdb.getSpec().getMinAvailable() == null ^ pdb.getSpec().getMaxUnavailable() == null)
                    .as("%s sets exactly one of minAvailable and maxUnavailable", what).isTrue();
            for (IntOrString value : java.util.Arrays.asList(pdb.getSpec().getMinAvailable(),
                    pdb.getSpec().getMaxUnavailable())) {
                if (value != null && value.getStrVal() != null) {
                    assertThat(value.getStrVal()).as("budget of %s", what).matches("[0-9]+%");
                }
            }
        } else if (read instanceof NetworkPolicy policy) {
            assertThat(policy.getSpec().getPodSelector()).as("podSelector of %s", what).isNotNull();
            assertThat(policy.getSpec().getPolicyTypes()).as("policyTypes of %s", what).isNotEmpty()
                    .allSatisfy(type -> assertThat(type).isIn("Ingress", "Egress"));
        } else if (read instanceof PersistentVolumeClaim claim) {
            assertThat(claim.getSpec().getAccessModes()).as("accessModes of %s", what).isNotEmpty();
            assertThat(claim.getSpec().getResources().getRequests()).as("storage of %s", what).containsKey("storage");
        } else if (read instanceof ConfigMap configMap) {
            assertThat(configMap.getData()).as("data of %s", what).isNotEmpty();
        } else if (read instanceof KafkaTopic topic) {
            assertThat(topic.getSpec().getPartitions()).as("partitions of %s", what).isPositive();
            assertThat(topic.getSpec().getReplicas()).as("replicas of %s", what).isPositive();
            assertThat(topic.getMetadata().getLabels()).as("labels of %s", what).containsKey("strimzi.io/cluster");
            assertThat(topic.getMetadata().getNamespace()).as("namespace of %s", what).isNotBlank();
        }
    }
}
