package org.fhirsnapshot.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Keycloak server distribution that the {@code keycloak-runtime} module fetches from Maven Central (a zip in the
 * local Maven repository), unpacked once into an install root shared by every local stack and test JVM of this user.
 * Keycloak re-augments ("builds") the unpacked distribution on its first start; {@link #lock()} serialises that.
 */
public final class KeycloakDistribution {

    /** Overrides the install root (default {@code ~/.cache/fhir-snapshot}). */
    public static final String INSTALL_ROOT_PROPERTY = "fhir-snapshot.keycloak.install-root";

    private final String version;
    private final Path zip;
    private final Path home;

    private KeycloakDistribution(String version, Path zip, Path home) {
        this.version = version;
        this.zip = zip;
        this.home = home;
    }

    /** The distribution that keycloak-runtime recorded, unpacked under the default install root. */
    public static KeycloakDistribution installed() {
        return installed(defaultInstallRoot());
    }

    /** The distribution that keycloak-runtime recorded, unpacked under {@code installRoot} if it is not yet. */
    public static KeycloakDistribution installed(Path installRoot) {
        Properties recorded = recorded();
        String version = recorded.getProperty("version");
        Path zip = Path.of(recorded.getProperty("zip"));
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException(zip + " is missing: build the keycloak-runtime module, which fetches it");
        }
        KeycloakDistribution distribution = new KeycloakDistribution(version, zip,
                installRoot.toAbsolutePath().resolve("keycloak-" + version));
        distribution.unpackIfMissing();
        return distribution;
    }

    public static Path defaultInstallRoot() {
        String configured = System.getProperty(INSTALL_ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank()
                ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("fhir-snapshot");
    }

    public String version() {
        return version;
    }

    /** The unpacked distribution ({@code bin}, {@code lib}, {@code conf}, {@code themes}, {@code providers}). */
    public Path home() {
        return home;
    }

    /**
     * An exclusive lock on this distribution across JVMs (blocking until it is free). Held while unpacking and while
     * Keycloak may re-augment the distribution's {@code lib/quarkus}, which two servers must not do at once.
     */
    public Lock lock() {
        try {
            Files.createDirectories(home.getParent());
            FileChannel channel = FileChannel.open(home.resolveSibling(home.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.lock();
            return new Lock(channel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + home, e);
        }
    }

    /** A held {@link #lock()}; closing it releases the lock. */
    public record Lock(FileChannel channel) implements AutoCloseable {

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Properties recorded() {
        try (InputStream in = KeycloakDistribution.class.getResourceAsStream("/keycloak-dist.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "keycloak-dist.properties is not on the classpath: build the keycloak-runtime module first");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void unpackIfMissing() {
        if (Files.isRegularFile(home.resolve("lib/quarkus-run.jar"))) {
            return;
        }
        // One JVM in this process at a time (a FileLock is per process), then one process at a time.
        synchronized (KeycloakDistribution.class) {
            try (Lock lock = lock()) {
                if (!Files.isRegularFile(home.resolve("lib/quarkus-run.jar"))) {
                    unpack();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unpack " + zip + " into " + home, e);
            }
        }
    }

    /** Unpacks into a temporary sibling, then renames it, so that a half-unpacked distribution is never used. */
    private void unpack() throws IOException {
        Path temporary = Files.createTempDirectory(home.getParent(), home.getFileName() + ".unpacking");
        String prefix = "keycloak-" + version + "/";
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = archive.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName().startsWith(prefix)
                        ? entry.getName().substring(prefix.length())
                        : entry.getName();
                Path target = temporary.resolve(name).normalize();
                if (name.isEmpty() || !target.startsWith(temporary)) {
                    continue;
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = archive.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                if (name.startsWith("bin/") && name.endsWith(".sh")) {
                    target.toFile().setExecutable(true, false);
                }
            }
            deleteTree(home);
            Files.move(temporary, home, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(temporary);
        }
    }

    static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
