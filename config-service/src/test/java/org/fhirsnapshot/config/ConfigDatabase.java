package org.fhirsnapshot.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** Reads the service's own database directly, to assert on rows the API does not show. */
final class ConfigDatabase {

    private ConfigDatabase() {
    }

    /** The number of mapping rows of a project, soft-deleted ones included. */
    static long mappingRows(String projectKey, boolean deletedOnly) {
        return count("select count(*) from mapping m join project p on p.id = m.project_id where p.project_key = ?"
                + (deletedOnly ? " and m.deleted_at is not null" : ""), projectKey);
    }

    /** The number of mapping rows of every project, soft-deleted ones included. */
    static long allMappingRows() {
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement("select count(*) from mapping");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The number of outbox rows announcing a change of this project. */
    static long outboxRows(String projectKey) {
        return count("select count(*) from outbox where message_key = ?", projectKey);
    }

    /** The holders with a request-slot lease row for the system, by name. */
    static List<String> slotLeaseHolders(long systemId) {
        Config config = ConfigProvider.getConfig();
        try (Connection connection = DriverManager.getConnection(
                config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
                PreparedStatement statement = connection.prepareStatement(
                        "select holder from request_slot_lease where system_id = ? order by holder")) {
            statement.setLong(1, systemId);
            List<String> holders = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    holders.add(rows.getString(1));
                }
            }
            return holders;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored values of a FHIR system's secret columns (auth_token, auth_client_secret, auth_private_key). */
    static Map<String, String> secretColumns(long systemId) {
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement(
                        "select auth_token, auth_client_secret, auth_private_key from fhir_system where id = ?")) {
            statement.setLong(1, systemId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("no fhir_system row " + systemId);
                }
                Map<String, String> columns = new LinkedHashMap<>();
                columns.put("auth_token", rows.getString(1));
                columns.put("auth_client_secret", rows.getString(2));
                columns.put("auth_private_key", rows.getString(3));
                return columns;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes one column of a FHIR system row directly, as an older version or someone with database access would. */
    static void setSystemColumn(long systemId, String column, String value) {
        if (!column.matches("[a-z_]+")) {
            throw new IllegalArgumentException(column);
        }
        try (Connection connection = connect();
                PreparedStatement statement = connection.prepareStatement(
                        "update fhir_system set " + column + " = ? where id = ?")) {
            statement.setString(1, value);
            statement.setLong(2, systemId);
            if (statement.executeUpdate() != 1) {
                throw new IllegalStateException("no fhir_system row " + systemId);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect() throws SQLException {
        Config config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }

    private static long count(String sql, String parameter) {
        Config config = ConfigProvider.getConfig();
        try (Connection connection = DriverManager.getConnection(
                config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
