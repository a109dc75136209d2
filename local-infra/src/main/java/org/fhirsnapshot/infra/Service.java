package org.fhirsnapshot.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The services of FHIR Snapshot: their module, default port and database. The {@link #CONSOLE} is the web front end:
 * it runs only beside an identity provider that logs people in (Keycloak), and no service calls it.
 */
public enum Service {

    CONFIG("config-service", 8081, "config"), MRN("mrn-service", 8082, "mrn"), SYNC("sync-service", 8083,
            "sync"), ARCHIVE("archive-service", 8084, "archive"), FETCH_WORKER("fetch-worker", 8085,
                    null), CONSOLE("console", 8080, null);

    /** The services that hold and fetch the data: every stack runs them (the console only with a login). */
    public static final List<Service> BACKENDS = List.of(CONFIG, MRN, SYNC, ARCHIVE, FETCH_WORKER);

    private final String module;
    private final int defaultPort;
    private final String database;

    Service(String module, int defaultPort, String database) {
        this.module = module;
        this.defaultPort = defaultPort;
        this.database = database;
    }

    public String module() {
        return module;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The service's own database, or null for a service without one. */
    public String database() {
        return database;
    }

    /** The fast-jar that {@code ./mvnw package} builds for this service. */
    public Path jar(Path repositoryRoot) {
        return repositoryRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Whether other services call this one over REST (and so need its URL). */
    public boolean calledByOtherServices() {
        return this == CONFIG || this == MRN;
    }

    public static Service ofModule(String module) {
        for (Service service : values()) {
            if (service.module.equals(module.trim().toLowerCase(Locale.ROOT))) {
                return service;
            }
        }
        throw new IllegalArgumentException("no service " + module);
    }

    /** The repository root: the nearest folder at or above the working directory that holds {@code mvnw}. */
    public static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("kafka-broker-runtime"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("not inside the FHIR Snapshot repository: " + System.getProperty("user.dir"));
    }
}
