package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * deploy/base/&lt;service&gt;/kubernetes.yml is what the Quarkus Kubernetes extension generates from the service's
 * application.properties in this build, so the two never drift apart. The services come before this module in the
 * reactor; their {@code package} writes target/kubernetes/kubernetes.yml. Compared as YAML documents, not as text:
 * the extension writes the keys of a label map in no fixed order (two builds of the same commit differ in it).
 */
class GeneratedManifestsTest {

    @Test
    void theCommittedManifestsAreWhatTheBuildGenerates() {
        for (String service : Manifests.SERVICES) {
            Path generated = Manifests.repositoryRoot().resolve(service).resolve("target/kubernetes/kubernetes.yml");
            Path committed = Manifests.deployDir().resolve("base").resolve(service).resolve("kubernetes.yml");
            assertThat(generated).as("%s has not been packaged in this build: run the reactor (./mvnw verify), or "
                    + "./mvnw -pl %s package first", service, service).exists();
            assertThat(Manifests.parse(Manifests.read(committed)))
                    .as("deploy/base/%s/kubernetes.yml differs from %s: run deploy/generate.sh and commit the result",
                            service, Manifests.repositoryRoot().relativize(generated))
                    .isEqualTo(Manifests.parse(Manifests.read(generated)));
        }
        assertThat(Files.exists(Manifests.deployDir().resolve("generate.sh"))).isTrue();
    }
}
