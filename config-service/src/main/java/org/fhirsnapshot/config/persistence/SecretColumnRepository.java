package org.fhirsnapshot.config.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The secret columns of {@code fhir_system} read and rewritten in bulk, for the startup re-encryption. JDBC (the
 * Agroal DataSource): it runs once, on the main thread during startup (a {@code StartupEvent} observer), where
 * blocking is allowed; the request paths stay reactive.
 */
@ApplicationScoped
public class SecretColumnRepository {

    private final DataSource dataSource;

    public SecretColumnRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The stored secret values of one row. */
    public record SecretRow(long id, String token, String clientSecret, String privateKey) {

        @Override
        public String toString() {
            return "SecretRow[id=" + id + "]";
        }
    }

    /**
     * Up to {@code limit} rows after {@code afterId} (by id) with a secret not starting with {@code currentPrefix}
     * (written with another key, or stored before encryption).
     */
    public List<SecretRow> notWrittenWith(String currentPrefix, long afterId, int limit) throws SQLException {
        String pattern = currentPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        select id, auth_token, auth_client_secret, auth_private_key from fhir_system
                        where id > ? and ((auth_token is not null and auth_token not like ?)
                            or (auth_client_secret is not null and auth_client_secret not like ?)
                            or (auth_private_key is not null and auth_private_key not like ?))
                        order by id limit ?""")) {
            select.setLong(1, afterId);
            select.setString(2, pattern);
            select.setString(3, pattern);
            select.setString(4, pattern);
            select.setInt(5, limit);
            List<SecretRow> rows = new ArrayList<>();
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.add(new SecretRow(result.getLong(1), result.getString(2), result.getString(3),
                            result.getString(4)));
                }
            }
            return rows;
        }
    }

    /**
     * Replaces each row's secrets by its rewritten ones, in one transaction, only where the row still holds what was
     * read (a row changed meanwhile, by an update through the API or another replica, is left as it is).
     *
     * @return for each rewrite, whether it was applied
     */
    public boolean[] rewrite(List<SecretRow> read, List<SecretRow> rewritten) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement update = connection.prepareStatement("""
                    update fhir_system set auth_token = ?, auth_client_secret = ?, auth_private_key = ?
                    where id = ? and auth_token is not distinct from ? and auth_client_secret is not distinct from ?
                        and auth_private_key is not distinct from ?""")) {
                for (int i = 0; i < read.size(); i++) {
                    SecretRow before = read.get(i);
                    SecretRow after = rewritten.get(i);
                    update.setString(1, after.token());
                    update.setString(2, after.clientSecret());
                    update.setString(3, after.privateKey());
                    update.setLong(4, before.id());
                    update.setString(5, before.token());
                    update.setString(6, before.clientSecret());
                    update.setString(7, before.privateKey());
                    update.addBatch();
                }
                int[] counts = update.executeBatch();
                connection.commit();
                boolean[] applied = new boolean[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    applied[i] = counts[i] > 0;
                }
                return applied;
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }
}
