package org.fhirsnapshot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The manifests of deploy/ as kubectl kustomize renders them, and the services' own configuration to check them
 * against.
 */
final class Manifests {

    /** The services that run in the cluster, by module name (= Deployment and Service name). */
    static final List<String> SERVICES = List.of("config-service", "mrn-service", "fetch-worker", "sync-service",
            "archive-service", "console");

    /** The overlays operators apply. */
    static final List<String> OVERLAYS = List.of("production", "single-node");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {
    }

    /** The deploy/ folder (this module's base directory). */
    static Path deployDir() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("overlays")) || !Files.isDirectory(dir.resolve("base"))) {
            throw new IllegalStateException("not the deploy/ folder: " + dir);
        }
        return dir;
    }

    static Path repositoryRoot() {
        return deployDir().getParent();
    }

    /** The objects of an overlay, as {@code kubectl kustomize deploy/overlays/<overlay>} renders them. */
    static List<JsonNode> overlay(String overlay) {
        return render("overlays/" + overlay);
    }

    /** The objects of a kustomization under deploy/ ({@code base}, {@code overlays/production}...). */
    static List<JsonNode> render(String kustomization) {
        return RENDERED.computeIfAbsent(kustomization, k -> parse(kubectlKustomize(deployDir().resolve(k))));
    }

    private static String kubectlKustomize(Path dir) {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
        } catch (IOException e) {
            throw new AssertionError(
                    "kubectl is needed to render deploy/ (`kubectl kustomize`) and was not found on the "
                            + "PATH (" + e.getMessage()
                            + "). Install kubectl v1.27 or later (kustomize v5 built in): Debian/"
                            + "Ubuntu `apt-get install kubectl` from the Kubernetes package repository "
                            + "(https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/), or the google-cloud-cli "
                            + "package's kubectl; CI's .ci/run installs it the same way.",
                    e);
        }
        try {
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            String out = new String(readAll(process.getInputStream()), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n"
                        + new String(stderr.join(), StandardCharsets.UTF_8));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + dir, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> parse(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode node = values.next();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    objects.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable YAML", e);
        }
        return objects;
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    /** The one object of this kind and name; fails when there is none. */
    static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    /** A service's src/main/resources/application.properties. */
    static Properties applicationProperties(String service) {
        Properties properties = new Properties();
        Path file = repositoryRoot().resolve(service).resolve("src/main/resources/application.properties");
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The environment variable MicroProfile Config maps to a property: non-alphanumerics to _, upper case. */
    static String environmentVariable(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** The Deployment's first (only) container. */
    static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").path(0);
    }
}
