package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.fhirsnapshot.contracts.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The KafkaTopics and KEDA's ScaledObject name the real topics, consumer group and Deployment. */
class KafkaAndScalingTest {

    /** Every topic of contracts' {@link Topics} and its dead-letter topic. */
    static Set<String> contractTopics() {
        Set<String> topics = new TreeSet<>();
        for (Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().equals("DEAD_LETTER_SUFFIX")) {
                try {
                    String topic = (String) field.get(null);
                    topics.add(topic);
                    topics.add(topic + Topics.DEAD_LETTER_SUFFIX);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return topics;
    }

    static String topicName(JsonNode kafkaTopic) {
        return kafkaTopic.path("spec").path("topicName").asText(kafkaTopic.path("metadata").path("name").asText());
    }

    static int partitions(List<JsonNode> objects, String topic) {
        return Manifests.ofKind(objects, "KafkaTopic").stream().filter(t -> topic.equals(topicName(t))).findFirst()
                .orElseThrow(() -> new AssertionError("no KafkaTopic " + topic)).path("spec").path("partitions")
                .asInt();
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void theKafkaTopicsAreExactlyTheContractTopicsAndTheirDeadLetterTopics(String overlay) {
        List<JsonNode> topics = Manifests.ofKind(Manifests.overlay(overlay), "KafkaTopic");
        assertThat(topics.stream().map(KafkaAndScalingTest::topicName).toList())
                .containsExactlyInAnyOrderElementsOf(contractTopics());
        assertThat(contractTopics()).hasSize(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void everyTopicAServiceConsumesOrProducesHasAKafkaTopic(String overlay) {
        Set<String> declared = new HashSet<>();
        Manifests.ofKind(Manifests.overlay(overlay), "KafkaTopic").forEach(t -> declared.add(topicName(t)));
        for (String service : Manifests.SERVICES) {
            Properties properties = Manifests.applicationProperties(service);
            for (String key : properties.stringPropertyNames()) {
                if (key.startsWith("mp.messaging.")
                        && (key.endsWith(".topic") || key.endsWith(".dead-letter-queue.topic"))) {
                    assertThat(declared).as("%s's %s", service, key).contains(properties.getProperty(key));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void theScaledObjectScalesFetchWorkersOnTheLagOfTheirOwnConsumerGroup(String overlay) {
        List<JsonNode> objects = Manifests.overlay(overlay);
        JsonNode scaledObject = Manifests.named(objects, "ScaledObject", "fetch-worker");
        JsonNode spec = scaledObject.path("spec");
        assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
        JsonNode target = Manifests.named(objects, "Deployment", spec.path("scaleTargetRef").path("name").asText());
        assertThat(target.path("metadata").path("name").asText()).isEqualTo("fetch-worker");
        assertThat(target.path("spec").has("replicas")).as("a replicas field would fight KEDA on every apply")
                .isFalse();

        assertThat(spec.path("triggers")).hasSize(1);
        JsonNode trigger = spec.path("triggers").path(0);
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        JsonNode metadata = trigger.path("metadata");
        Properties worker = Manifests.applicationProperties("fetch-worker");
        assertThat(metadata.path("topic").asText()).isEqualTo(Topics.PENDING_RESOURCE)
                .isEqualTo(worker.getProperty("mp.messaging.incoming.pending-resource.topic"));
        assertThat(metadata.path("consumerGroup").asText())
                .isEqualTo(worker.getProperty("mp.messaging.incoming.pending-resource.group.id"));
        assertThat(metadata.path("offsetResetPolicy").asText())
                .isEqualTo(worker.getProperty("mp.messaging.incoming.pending-resource.auto.offset.reset"));
        JsonNode kafka = Manifests.named(objects, "ConfigMap", configMapName(objects, "fhir-snapshot-kafka"));
        assertThat(metadata.path("bootstrapServers").asText())
                .isEqualTo(kafka.path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText());
        assertThat(Long.parseLong(metadata.path("lagThreshold").asText())).isPositive();

        assertThat(spec.path("minReplicaCount").asInt(-1)).as("idle to zero").isZero();
        assertThat(spec.path("maxReplicaCount").asInt())
                .as("replicas beyond the partitions of %s would get no partition", Topics.PENDING_RESOURCE)
                .isPositive().isLessThanOrEqualTo(partitions(objects, Topics.PENDING_RESOURCE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "single-node"})
    void aFetchWorkerHasTimeToFinishOrReleaseItsClaimsBeforeItIsKilled(String overlay) {
        Properties worker = Manifests.applicationProperties("fetch-worker");
        Duration shutdown = duration(worker.getProperty("quarkus.shutdown.timeout", "0s"));
        Duration drain = duration(worker.getProperty("fhir-snapshot.fetch.shutdown-drain", "0s"));
        // fetch-worker's graceful shutdown: HTTP shutdown, the drain of running fetches, two claim releases (up to
        // 5 s each) and the Kafka consumer's close (up to 5 s), as its application.properties describes it.
        Duration needed = shutdown.plus(drain).plusSeconds(15);
        JsonNode deployment = Manifests.named(Manifests.overlay(overlay), "Deployment", "fetch-worker");
        long grace = deployment.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds")
                .asLong(30);
        assertThat(grace).isGreaterThan(needed.toSeconds());
        for (String service : Manifests.SERVICES) {
            Duration timeout = duration(Manifests.applicationProperties(service).getProperty("quarkus.shutdown.timeout",
                    "0s"));
            long serviceGrace = Manifests.named(Manifests.overlay(overlay), "Deployment", service).path("spec")
                    .path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30);
            assertThat(serviceGrace).as("grace of %s", service).isGreaterThan(timeout.toSeconds());
        }
    }

    /** The name kustomize gave a generated ConfigMap (its name, a dash and a content hash). */
    static String configMapName(List<JsonNode> objects, String generator) {
        return Manifests.ofKind(objects, "ConfigMap").stream().map(c -> c.path("metadata").path("name").asText())
                .filter(name -> name.matches(java.util.regex.Pattern.quote(generator) + "-[a-z0-9]{10}")).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + generator));
    }

    static Duration duration(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long amount = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(Long.parseLong(v));
        };
    }
}
