package org.fhirsnapshot.mrn;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** Plain JDBC on the service's database, to seed MRNs and to look at rows as they are. */
final class TestDatabase {

    private TestDatabase() {
    }

    static Connection connect() throws SQLException {
        Config config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }

    /** Inserts {@code count} active MRNs {@code MRN-00001...} into the project; returns their ids in order. */
    static List<Long> seedMrns(String projectKey, int count) {
        return queryLongs("""
                insert into mrn (project_key, mrn)
                select ?, 'MRN-' || lpad(g::text, 6, '0') from generate_series(1, ?) g
                returning id
                """, projectKey, count);
    }

    static int update(String sql, Object... params) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, params)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Long> queryLongs(String sql, Object... params) {
        List<Long> values = new ArrayList<>();
        for (Map<String, Object> row : query(sql, params)) {
            values.add(((Number) row.values().iterator().next()).longValue());
        }
        return values;
    }

    static long count(String sql, Object... params) {
        return queryLongs(sql, params).get(0);
    }

    static List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, params)) {
            boolean hasRows = statement.execute();
            List<Map<String, Object>> rows = new ArrayList<>();
            if (hasRows) {
                try (ResultSet result = statement.getResultSet()) {
                    int columns = result.getMetaData().getColumnCount();
                    while (result.next()) {
                        Map<String, Object> row = new java.util.LinkedHashMap<>();
                        for (int i = 1; i <= columns; i++) {
                            row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
                        }
                        rows.add(row);
                    }
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Status of each instance id. */
    static Map<Long, String> statuses(List<Long> instanceIds) {
        Map<Long, String> statuses = new HashMap<>();
        for (Map<String, Object> row : query("select id, status from instance where id = any(?)",
                (Object) instanceIds.toArray(new Long[0]))) {
            statuses.put(((Number) row.get("id")).longValue(), (String) row.get("status"));
        }
        return statuses;
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... params)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            if (params[i] instanceof Long[] longs) {
                statement.setArray(i + 1, connection.createArrayOf("bigint", longs));
            } else {
                statement.setObject(i + 1, params[i]);
            }
        }
        return statement;
    }
}
