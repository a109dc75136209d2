package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest: what the {@code fhir_system} columns hold (read directly), what the internal settings call gives
 * back, rotation and the startup re-encryption job (called directly), and that no log line carries a secret.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class SecretsAtRestTest {

    @Inject
    SecretReencryptionJob job;
    @Inject
    FhirSystemSecrets secrets;

    /** Every log record written while a test runs, and the secrets that test used. */
    private final List<LogRecord> logged = new ArrayList<>();
    private final List<String> secretsUsed = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void noLogLineHoldsASecret() {
        Logger.getLogger("").removeHandler(capture);
        List<String> lines = new ArrayList<>();
        synchronized (logged) {
            for (LogRecord record : logged) {
                StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
                if (record.getParameters() != null) {
                    for (Object parameter : record.getParameters()) {
                        line.append(' ').append(parameter);
                    }
                }
                for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                    line.append(' ').append(t);
                }
                lines.add(line.toString());
            }
        }
        for (String secret : secretsUsed) {
            assertThat(lines).noneMatch(line -> line.contains(secret));
        }
    }

    private String secret(String prefix) {
        String value = prefix + "-" + UUID.randomUUID();
        secretsUsed.add(value);
        return value;
    }

    private static long createBearer(String token) {
        return ApiFixtures.createSystem(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "auth",
                Map.of("type", "bearer", "token", token)));
    }

    private static String internalToken(long id) {
        return given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200).extract().jsonPath().getString("auth.token");
    }

    private String currentPrefix() {
        return SecretCipher.PREFIX + secrets.cipher().currentKeyId() + ":";
    }

    @Test
    void everySecretIsStoredEncryptedAndTheInternalCallGivesItBackPlain() {
        String token = secret("tok");
        String clientSecret = secret("sec");
        long bearer = createBearer(token);
        long client = ApiFixtures.createSystem(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir",
                "auth", Map.of("type", "client-secret", "tokenUrl", "https://ehr.example.org/token", "clientId",
                        "c1", "clientSecret", clientSecret)));
        long smart = ApiFixtures.createSystem(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir",
                "auth", Map.of("type", "smart-backend", "clientId", "c2")));

        assertThat(ConfigDatabase.secretColumns(bearer).get("auth_token")).startsWith(currentPrefix())
                .doesNotContain(token);
        assertThat(ConfigDatabase.secretColumns(client).get("auth_client_secret")).startsWith(currentPrefix())
                .doesNotContain(clientSecret);
        String storedKey = ConfigDatabase.secretColumns(smart).get("auth_private_key");
        assertThat(storedKey).startsWith(currentPrefix()).doesNotContain("PRIVATE KEY");

        assertThat(internalToken(bearer)).isEqualTo(token);
        given().when().get("/internal/fhir-systems/{id}", client)
                .then().statusCode(200).body("auth.clientSecret", equalTo(clientSecret));
        String privateKey = given().when().get("/internal/fhir-systems/{id}", smart)
                .then().statusCode(200).body("auth.privateKey", startsWith("-----BEGIN PRIVATE KEY-----"))
                .extract().jsonPath().getString("auth.privateKey");
        secretsUsed.add(privateKey.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow());
        // The public JWK Set is derived from the decrypted key.
        given().when().get("/api/fhir-systems/{id}/jwks.json", smart)
                .then().statusCode(200).body("keys[0].kty", equalTo("RSA"));
    }

    @Test
    void anUpdateStoresTheNewSecretEncryptedAndOneWithoutItKeepsTheOld() {
        String first = secret("tok");
        String second = secret("tok");
        long id = createBearer(first);
        String storedFirst = ConfigDatabase.secretColumns(id).get("auth_token");

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "bearer", "token", second)))
                .when().put("/api/fhir-systems/{id}", id).then().statusCode(200);
        String storedSecond = ConfigDatabase.secretColumns(id).get("auth_token");
        assertThat(storedSecond).startsWith(currentPrefix()).doesNotContain(second).isNotEqualTo(storedFirst);
        assertThat(internalToken(id)).isEqualTo(second);

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR renamed", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "bearer")))
                .when().put("/api/fhir-systems/{id}", id).then().statusCode(200);
        assertThat(ConfigDatabase.secretColumns(id).get("auth_token")).startsWith(currentPrefix())
                .doesNotContain(second);
        assertThat(internalToken(id)).isEqualTo(second);
    }

    @Test
    void ciphertextsSwappedBetweenRowsOrColumnsAreRefusedNotServed() {
        String tokenA = secret("tok");
        String tokenB = secret("tok");
        String clientSecret = secret("sec");
        long a = createBearer(tokenA);
        long b = createBearer(tokenB);
        long client = ApiFixtures.createSystem(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir",
                "auth", Map.of("type", "client-secret", "tokenUrl", "https://ehr.example.org/token", "clientId",
                        "c1", "clientSecret", clientSecret)));
        String storedA = ConfigDatabase.secretColumns(a).get("auth_token");
        String storedB = ConfigDatabase.secretColumns(b).get("auth_token");
        String storedSecret = ConfigDatabase.secretColumns(client).get("auth_client_secret");

        ConfigDatabase.setSystemColumn(a, "auth_token", storedB);
        ConfigDatabase.setSystemColumn(b, "auth_token", storedA);
        // Within one row: the client secret's ciphertext moved into the token column.
        ConfigDatabase.setSystemColumn(client, "auth_type", "bearer");
        ConfigDatabase.setSystemColumn(client, "auth_token", storedSecret);
        ConfigDatabase.setSystemColumn(client, "auth_client_secret", null);

        for (long id : List.of(a, b, client)) {
            String body = given().when().get("/internal/fhir-systems/{id}", id)
                    .then().statusCode(409).contentType(Problem.MEDIA_TYPE)
                    .body("title", equalTo("Secrets unreadable"))
                    .body("detail", containsString("altered or copied from another row or column"))
                    .body("detail", containsString("PUT /api/fhir-systems/" + id))
                    .extract().asString();
            assertThat(body).doesNotContain(tokenA, tokenB, clientSecret, SecretCipher.PREFIX);
        }

        // Setting the secret again repairs the system.
        String repaired = secret("tok");
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "bearer", "token", repaired)))
                .when().put("/api/fhir-systems/{id}", a).then().statusCode(200);
        assertThat(internalToken(a)).isEqualTo(repaired);
    }

    @Test
    void legacyPlainTextSecretsAreEncryptedByTheStartupJob() throws Exception {
        String legacy = secret("legacy");
        String legacyKey = "-----BEGIN PRIVATE KEY-----\nlegacy-" + UUID.randomUUID() + "\n-----END PRIVATE KEY-----\n";
        long id = createBearer(secret("tok"));
        // As a row written before encryption existed.
        ConfigDatabase.setSystemColumn(id, "auth_token", legacy);
        ConfigDatabase.setSystemColumn(id, "auth_private_key", legacyKey);
        assertThat(internalToken(id)).isEqualTo(legacy);

        SecretReencryptionJob.Report report = job.run();

        assertThat(report.encrypted()).isGreaterThanOrEqualTo(2);
        Map<String, String> stored = ConfigDatabase.secretColumns(id);
        assertThat(stored.get("auth_token")).startsWith(currentPrefix()).doesNotContain(legacy);
        assertThat(stored.get("auth_private_key")).startsWith(currentPrefix()).doesNotContain("legacy-");
        assertThat(internalToken(id)).isEqualTo(legacy);
        given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200).body("auth.privateKey", equalTo(legacyKey));

        // Idempotent: a second run leaves the row as it is.
        job.run();
        assertThat(ConfigDatabase.secretColumns(id)).isEqualTo(stored);
    }

    @Test
    void aPreviousKeyStillDecryptsAndTheJobReencryptsWithTheCurrentKey() throws Exception {
        String previousKey = ConfigProvider.getConfig().getValue("fhir-snapshot.secrets.previous-keys", String.class);
        SecretCipher previous = SecretCipher.of(Optional.of(previousKey), List.of());
        assertThat(previous.currentKeyId()).isNotEqualTo(secrets.cipher().currentKeyId());
        String token = secret("tok");
        long id = createBearer(secret("tok"));
        String old = previous.encrypt(token, FhirSystemSecrets.context("auth_token", id));
        ConfigDatabase.setSystemColumn(id, "auth_token", old);

        assertThat(internalToken(id)).isEqualTo(token);

        SecretReencryptionJob.Report report = job.run();

        assertThat(report.reencrypted()).isGreaterThanOrEqualTo(1);
        String stored = ConfigDatabase.secretColumns(id).get("auth_token");
        assertThat(stored).startsWith(currentPrefix()).isNotEqualTo(old).doesNotContain(token);
        assertThat(internalToken(id)).isEqualTo(token);
    }

    @Test
    void aSecretWrittenWithAnUnknownKeyIsAClearProblemAndIsLeftForTheOperator() throws Exception {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        SecretCipher unknown = SecretCipher.of(Optional.of(Base64.getEncoder().encodeToString(raw)), List.of());
        String token = secret("tok");
        long id = createBearer(secret("tok"));
        String foreign = unknown.encrypt(token, FhirSystemSecrets.context("auth_token", id));
        ConfigDatabase.setSystemColumn(id, "auth_token", foreign);

        String body = given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(503).contentType(Problem.MEDIA_TYPE)
                .body("title", equalTo("Secrets key missing"))
                .body("detail", containsString("cannot be decrypted with the configured key"))
                .body("detail", containsString("key id " + unknown.currentKeyId()))
                .body("detail", containsString("fhir-snapshot.secrets.previous-keys"))
                .extract().asString();
        assertThat(body).doesNotContain(token, foreign.substring(16), SecretCipher.PREFIX);
        // The public view needs no decryption; an update that would keep the secret cannot go through.
        given().when().get("/api/fhir-systems/{id}", id).then().statusCode(200).body("auth.hasSecret", equalTo(true));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "bearer")))
                .when().put("/api/fhir-systems/{id}", id).then().statusCode(503);

        SecretReencryptionJob.Report report = job.run();

        assertThat(report.unreadable()).isGreaterThanOrEqualTo(1);
        assertThat(ConfigDatabase.secretColumns(id).get("auth_token")).isEqualTo(foreign);
        synchronized (logged) {
            // The job's count line is captured (so the log scan after each test sees the service's records).
            assertThat(logged).anyMatch(record -> String.valueOf(record.getMessage()).startsWith("Secrets at rest"));
        }
    }
}
