package org.fhirsnapshot.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsKeyTest {

    @Test
    void aPersistentServerKeepsOneOwnerOnlyKeyBesideItsDataAcrossRestarts(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("postgres");
        String first;
        try (PostgresServer postgres = PostgresServer.start(data, 0)) {
            first = postgres.secretsKey();
            assertThat(postgres.secretsKey()).isEqualTo(first);
        }
        Path file = dir.resolve("postgres-secrets.key");
        assertThat(PostgresServer.secretsKeyFile(data)).isEqualTo(file.toAbsolutePath());
        assertThat(Files.readString(file).strip()).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(first)).hasSize(32);
        try (PostgresServer again = PostgresServer.start(data, 0)) {
            assertThat(again.secretsKey()).isEqualTo(first);
        }
        try (var names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void aKeyFileMadeReadableByOthersIsMadeOwnerOnlyAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data-secrets.key");
        String key = PostgresServer.secretsKeyOf(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(PostgresServer.secretsKeyOf(file)).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aDamagedKeyFileStopsTheStartWithoutBeingReplaced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data-secrets.key");
        Files.writeString(file, "not a key");

        assertThatThrownBy(() -> PostgresServer.secretsKeyOf(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not hold a secrets key");
        assertThat(Files.readString(file)).isEqualTo("not a key");
    }

    @Test
    void configServiceGetsTheServersKeyAndOnlyItThroughTheEnvironment(@TempDir Path dir) {
        try (PostgresServer postgres = PostgresServer.start(null, 0)) {
            Map<String, String> config = ServiceProperties.of(Service.CONFIG, postgres, "127.0.0.1:1", Map.of(),
                    dir.resolve("payloads"));
            Map<String, String> mrn = ServiceProperties.of(Service.MRN, postgres, "127.0.0.1:1", Map.of(),
                    dir.resolve("payloads"));

            assertThat(config).containsEntry(ServiceProperties.SECRETS_KEY, postgres.secretsKey());
            assertThat(Base64.getDecoder().decode(postgres.secretsKey())).hasSize(32);
            assertThat(mrn).doesNotContainKey(ServiceProperties.SECRETS_KEY);
            assertThat(ServiceProperties.isSecret(ServiceProperties.SECRETS_KEY)).isTrue();
            assertThat(ServiceProperties.isSecret("kafka.bootstrap.servers")).isFalse();
            assertThat(ServiceProperties.environmentVariable(ServiceProperties.SECRETS_KEY))
                    .isEqualTo(ServiceProperties.SECRETS_KEY_VARIABLE);
        }
    }

    @Test
    void temporaryServersEachHaveTheirOwnKey() {
        try (PostgresServer one = PostgresServer.start(null, 0); PostgresServer two = PostgresServer.start(null, 0)) {
            assertThat(one.secretsKey()).isNotEqualTo(two.secretsKey()).isEqualTo(one.secretsKey());
        }
    }

    @Test
    void aChildProcessGetsTheEnvironmentItIsGiven(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("env.log");
        try (ChildProcess child = ChildProcess.start("env",
                List.of("sh", "-c", "echo \"[$SECRET_FOR_TEST]\"; exec sleep 30"),
                Map.of("SECRET_FOR_TEST", "s3cr3t"), dir.resolve("env.pid"), log)) {
            // awaitReady polls until the condition holds, failing if the process ended without it.
            child.awaitReady(() -> child.logContains("]"), Duration.ofSeconds(10));
        }
        assertThat(Files.readString(log)).contains("[s3cr3t]");
    }
}
