package org.fhirsnapshot.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalServersTest {

    @Test
    void postgresCreatesADatabasePerServiceThatAcceptsConnections(@TempDir Path dir) throws Exception {
        try (PostgresServer postgres = PostgresServer.start(dir.resolve("pg"), 0)) {
            postgres.createDatabase("svc_one");
            postgres.createDatabase("svc_one");
            try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("svc_one"), PostgresServer.USER,
                    PostgresServer.PASSWORD);
                    ResultSet row = connection.createStatement().executeQuery(
                            "select current_database(), current_setting('server_version_num')::int")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("svc_one");
                assertThat(row.getInt(2)).isGreaterThanOrEqualTo(170000);
            }
        }
    }

    @Test
    void kafkaBrokerAcceptsConnectionsAndComesBackAfterAKill(@TempDir Path dir) {
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"), 0)) {
            assertThat(broker.isAlive()).isTrue();
            broker.kill();
            assertThat(broker.isAlive()).isFalse();
            assertThat(FreePorts.isFree(broker.port())).isTrue();
            broker.start();
            assertThat(broker.isAlive()).isTrue();
            assertThat(FreePorts.isFree(broker.port())).isFalse();
        }
    }
}
