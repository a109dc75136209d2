package org.fhirsnapshot.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict readers of Kubernetes objects: the Java models of fabric8 (core kinds, Prometheus Operator kinds) and Strimzi
 * (KafkaTopic) with every unknown field an error, and KEDA's CRD schema for ScaledObject.
 */
final class StrictModels {

    /**
     * The model classes, by kind. fabric8's and Strimzi's classes keep unknown fields in an "additional properties"
     * map through {@code @JsonAnySetter}; this mapper ignores that annotation, so an unknown field (a typo, a field
     * at the wrong level) fails to deserialize as the API server's strict field validation would fail it.
     */
    static final Map<String, Class<? extends HasMetadata>> MODELS = Map.of("Deployment", Deployment.class, "Service",
            Service.class, "ConfigMap", ConfigMap.class, "PersistentVolumeClaim", PersistentVolumeClaim.class,
            "Namespace", Namespace.class, "PodDisruptionBudget", PodDisruptionBudget.class, "NetworkPolicy",
            NetworkPolicy.class, "KafkaTopic", KafkaTopic.class, "PodMonitor", PodMonitor.class, "ServiceMonitor",
            ServiceMonitor.class);

    /** Kinds validated against a vendored CRD schema (src/test/resources/crds). */
    static final Map<String, String> CRD_SCHEMAS = Map.of("ScaledObject", "/crds/keda.sh_scaledobjects.yaml");

    /** Kinds with a model but outside the Map.of limit above. */
    static final Map<String, Class<? extends HasMetadata>> MORE_MODELS = Map.of("PrometheusRule",
            PrometheusRule.class);

    static final ObjectMapper STRICT = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return Boolean.FALSE;
                }
            }).build();

    private StrictModels() {
    }

    /**
     * The apiVersions a model reads: the one its class is annotated with; for Strimzi's KafkaTopic also v1beta2, which
     * every Strimzi release since 0.22 serves (its v1, the model's, only since 0.49) and whose KafkaTopic fields are
     * the same.
     */
    static List<String> apiVersions(Class<? extends HasMetadata> model) {
        String version = HasMetadata.getApiVersion(model);
        return model == KafkaTopic.class
                ? List.of(version, HasMetadata.getGroup(model) + "/v1beta2")
                : List.of(version);
    }

    static Class<? extends HasMetadata> model(String kind) {
        Class<? extends HasMetadata> model = MODELS.get(kind);
        return model != null ? model : MORE_MODELS.get(kind);
    }

    /** The object read strictly into its model class; fails on an unknown field. */
    static <T extends HasMetadata> T read(JsonNode object, Class<T> model) {
        try {
            return STRICT.treeToValue(object, model);
        } catch (IOException e) {
            throw new AssertionError(describe(object) + " does not match the " + model.getSimpleName() + " schema: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    static ObjectMeta metadata(JsonNode object) {
        try {
            return STRICT.treeToValue(object.path("metadata"), ObjectMeta.class);
        } catch (IOException e) {
            throw new AssertionError(describe(object) + ": metadata does not match ObjectMeta: " + e.getMessage(), e);
        }
    }

    /** The validation errors of an object against the CRD schema of its kind (empty: valid). */
    static Set<ValidationMessage> validateAgainstCrd(JsonNode object) {
        String resource = CRD_SCHEMAS.get(object.path("kind").asText());
        JsonNode schema = crdSchema(resource, object.path("apiVersion").asText());
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        return validator.validate(object);
    }

    /**
     * The openAPIV3Schema of the CRD version the object's apiVersion names, made strict: every object schema with
     * {@code properties} and neither {@code additionalProperties} nor {@code x-kubernetes-preserve-unknown-fields}
     * refuses other properties (the API server would prune them silently, or refuse them under strict field
     * validation).
     */
    static JsonNode crdSchema(String resource, String apiVersion) {
        JsonNode crd;
        try (InputStream in = StrictModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            crd = Manifests.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String group = crd.path("spec").path("group").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if ((group + "/" + version.path("name").asText()).equals(apiVersion)) {
                JsonNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
                strict(schema);
                return schema;
            }
        }
        throw new AssertionError(resource + " defines no version " + apiVersion);
    }

    private static void strict(JsonNode schema) {
        if (schema instanceof ObjectNode node) {
            if (node.has("properties") && !node.has("additionalProperties")
                    && !node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                node.put("additionalProperties", false);
            }
            for (Iterator<JsonNode> children = node.elements(); children.hasNext();) {
                strict(children.next());
            }
        } else if (schema.isArray()) {
            schema.forEach(StrictModels::strict);
        }
    }

    static String describe(JsonNode object) {
        return object.path("kind").asText("?") + " " + object.path("metadata").path("namespace").asText("")
                + "/" + object.path("metadata").path("name").asText("?");
    }

    static List<String> allKinds() {
        return java.util.stream.Stream.of(MODELS.keySet(), MORE_MODELS.keySet(), CRD_SCHEMAS.keySet())
                .flatMap(Set::stream).sorted().toList();
    }
}
