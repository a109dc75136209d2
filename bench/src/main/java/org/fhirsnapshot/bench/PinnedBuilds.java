package org.fhirsnapshot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.fhirsnapshot.infra.Service;

/**
 * Copies of the services' builds for one benchmark run: a module rebuilt in the checkout while the benchmark runs
 * (other people work there) cannot pull the jars from under the processes (as the end-to-end tests pin theirs).
 */
final class PinnedBuilds {

    private PinnedBuilds() {
    }

    /**
     * Copies each service's {@code target/quarkus-app} from {@code repository} to the same place under
     * {@code pinned}, and returns {@code pinned}: the repository root to start them from.
     */
    static Path pin(Path repository, Path pinned, List<Service> services) throws IOException {
        for (Service service : services) {
            copyTree(service.jar(repository).getParent(), service.jar(pinned).getParent());
        }
        return pinned;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
