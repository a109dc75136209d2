package org.fhirsnapshot.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.fhirsnapshot.infra.PostgresServer;

/**
 * A real PostgreSQL server, started once per test JVM, with the service's own database. Init arg {@code database}
 * names it (default {@code test}).
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static PostgresServer server;
    private String database = "test";

    /** The PostgreSQL server of this test JVM, started on first use. */
    public static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.start(null, 0);
            PostgresServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-postgres"));
        }
        return server;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        PostgresServer postgres = server();
        postgres.createDatabase(database);
        return Map.of(
                "quarkus.datasource.reactive.url", postgres.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(database),
                "quarkus.datasource.username", PostgresServer.USER,
                "quarkus.datasource.password", PostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
        // Shared by every test class of the JVM; a shutdown hook ends it.
    }
}
