package org.fhirsnapshot.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server from embedded binaries. Each service gets its own database in it (in production: its own
 * database and user in one cluster).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    /** Bytes of the secrets key (AES-256). */
    static final int SECRETS_KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private String secretsKey;

    private PostgresServer(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /**
     * Starts PostgreSQL on {@code port} (0 for any free port). With {@code dataDir} null the data lives in a
     * temporary directory removed on close; otherwise it persists there between runs.
     */
    public static PostgresServer start(Path dataDir, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(port == 0 ? FreePorts.next() : port)
                    .setServerConfig("max_connections", "300").setServerConfig("fsync", "on");
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            return new PostgresServer(builder.start(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL", e);
        }
    }

    /**
     * The key (base64 of 32 random bytes) that encrypts the secrets services store in this server's databases
     * ({@code fhir-snapshot.secrets.key} of config-service). It lives as long as the data it protects: with a data
     * directory, it is generated once and kept beside it in {@link #secretsKeyFile(Path)} (owner-only permissions),
     * so that every later run on the same data reads its secrets again; for a temporary server it is generated once
     * per server and kept in memory only.
     */
    public synchronized String secretsKey() {
        if (secretsKey == null) {
            secretsKey = dataDir == null ? newSecretsKey() : secretsKeyOf(secretsKeyFile(dataDir));
        }
        return secretsKey;
    }

    /** The file that keeps the secrets key of the data in {@code dataDir}: {@code <dataDir>-secrets.key} beside it. */
    public static Path secretsKeyFile(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + "-secrets.key");
    }

    /** The key kept in {@code file}, generated there (owner-only, written atomically) when the file is missing. */
    static String secretsKeyOf(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
                Path temporary = posix
                        ? Files.createTempFile(file.getParent(), ".secrets", ".tmp",
                                PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                        : Files.createTempFile(file.getParent(), ".secrets", ".tmp");
                try {
                    Files.writeString(temporary, newSecretsKey() + "\n");
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(temporary);
                }
            } else if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            String key = Files.readString(file).strip();
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                bytes = new byte[0];
            }
            if (bytes.length != SECRETS_KEY_BYTES) {
                throw new IllegalStateException(file + " does not hold a secrets key (base64 of 32 bytes). Restore "
                        + "it from a backup; only if the stored secrets are to be given again, delete it.");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secrets key " + file, e);
        }
    }

    private static String newSecretsKey() {
        byte[] key = new byte[SECRETS_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** Creates {@code database} unless it exists. */
    public void createDatabase(String database) {
        if (!database.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database names are lower-case letters, digits and _: " + database);
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            try (PreparedStatement exists = connection
                    .prepareStatement("select 1 from pg_database where datname = ?")) {
                exists.setString(1, database);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("create database " + database);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database, e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
