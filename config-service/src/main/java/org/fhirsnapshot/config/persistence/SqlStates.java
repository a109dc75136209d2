package org.fhirsnapshot.config.persistence;

import io.vertx.pgclient.PgException;
import org.hibernate.JDBCException;

/** Recognises PostgreSQL errors by SQLSTATE anywhere in a failure's cause chain. */
public final class SqlStates {

    public static final String UNIQUE_VIOLATION = "23505";
    public static final String FOREIGN_KEY_VIOLATION = "23503";

    private SqlStates() {
    }

    public static boolean isUniqueViolation(Throwable failure) {
        return has(failure, UNIQUE_VIOLATION);
    }

    public static boolean isForeignKeyViolation(Throwable failure) {
        return has(failure, FOREIGN_KEY_VIOLATION);
    }

    private static boolean has(Throwable failure, String sqlState) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg && sqlState.equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof JDBCException jdbc && sqlState.equals(jdbc.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
