package org.fhirsnapshot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * How many fetch-worker replicas KEDA asks for at a given consumer-group lag, from a ScaledObject's own parameters.
 * KEDA's Kafka scaler reports the group's total lag on the topic, capped at partitions × lagThreshold unless
 * allowIdleConsumers (so the HPA never wants more replicas than partitions); the HPA's AverageValue target then wants
 * ceil(lag / lagThreshold) replicas; KEDA activates the workload (0 → 1) only above activationLagThreshold and returns
 * it to minReplicaCount after cooldownPeriod at or below it; maxReplicaCount caps everything. The HPA's 10 % tolerance
 * and its stabilization windows decide when a change happens, not to what value, and are left out.
 *
 * @param minReplicas minReplicaCount (0: idle to zero)
 * @param maxReplicas maxReplicaCount
 * @param lagThreshold the trigger's lagThreshold (target average lag per replica)
 * @param activationLagThreshold the trigger's activationLagThreshold
 * @param allowIdleConsumers the trigger's allowIdleConsumers
 * @param partitions partitions of the topic
 */
record LagToReplicas(int minReplicas, int maxReplicas, long lagThreshold, long activationLagThreshold,
        boolean allowIdleConsumers, int partitions) {

    /** The parameters of a rendered overlay's fetch-worker ScaledObject and its topic. */
    static LagToReplicas of(List<JsonNode> objects) {
        JsonNode spec = Manifests.named(objects, "ScaledObject", "fetch-worker").path("spec");
        JsonNode trigger = spec.path("triggers").path(0).path("metadata");
        return new LagToReplicas(spec.path("minReplicaCount").asInt(1), spec.path("maxReplicaCount").asInt(100),
                Long.parseLong(trigger.path("lagThreshold").asText("10")),
                Long.parseLong(trigger.path("activationLagThreshold").asText("0")),
                Boolean.parseBoolean(trigger.path("allowIdleConsumers").asText("false")),
                KafkaAndScalingTest.partitions(objects, trigger.path("topic").asText()));
    }

    /** Replicas at this total lag, once the HPA has settled (and, at no lag, after the cooldown). */
    int replicas(long lag) {
        if (lag <= activationLagThreshold) {
            return minReplicas;
        }
        long metric = lag;
        // kafka_scaler.go: if (totalLag / lagThreshold) > upperBound then totalLag = upperBound * lagThreshold
        // (integer division), upperBound = the topic's partitions, unless idle consumers are allowed.
        if (!allowIdleConsumers && lag / lagThreshold > partitions) {
            metric = partitions * lagThreshold;
        }
        long desired = (metric + lagThreshold - 1) / lagThreshold;
        desired = Math.max(desired, Math.max(1, minReplicas));
        return (int) Math.min(desired, maxReplicas);
    }

    /** The smallest lag at which the replicas reach maxReplicas (or the partitions, if fewer). */
    long saturationLag() {
        int top = allowIdleConsumers ? maxReplicas : Math.min(maxReplicas, partitions);
        return (top - 1) * lagThreshold + 1;
    }
}
