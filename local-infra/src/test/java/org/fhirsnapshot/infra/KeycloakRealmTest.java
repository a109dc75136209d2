package org.fhirsnapshot.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeycloakRealmTest {

    @Test
    void projectAddsAGroupAndAUserPerRole() {
        KeycloakRealm realm = KeycloakRealm.create("secret").withProject("study-7");

        assertThat(realm.groups()).containsExactly("admin", "service", "project:study-7:reader",
                "project:study-7:exporter", "project:study-7:manager");
        assertThat(realm.user("study-7-exporter").groups()).containsExactly("project:study-7:exporter");
        assertThat(realm.user("study-7-exporter").password()).isEqualTo("study-7-exporter");
    }

    @Test
    void projectKeyOutsideTheApiPatternIsRefused() {
        assertThatThrownBy(() -> KeycloakRealm.create("secret").withProject("Demo:x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyClientMapsGroupNamesWithoutTheirPathIntoTheAccessToken() {
        JsonObject realm = parse(KeycloakRealm.create("secret").withClient("launcher", "other", "admin").toJson());

        List<JsonObject> clients = realm.getJsonArray("clients").getValuesAs(JsonObject.class);
        assertThat(clients).extracting(client -> client.getString("clientId"))
                .containsExactly("fhir-snapshot-cli", "fhir-snapshot-services", "launcher");
        for (JsonObject client : clients) {
            JsonObject config = client.getJsonArray("protocolMappers").getJsonObject(0).getJsonObject("config");
            assertThat(config.getString("claim.name")).isEqualTo("groups");
            assertThat(config.getString("full.path")).isEqualTo("false");
            assertThat(config.getString("access.token.claim")).isEqualTo("true");
        }
    }

    @Test
    void serviceAccountOfEachConfidentialClientIsInItsGroups() {
        JsonObject realm = parse(KeycloakRealm.create("secret").toJson());

        JsonObject account = realm.getJsonArray("users").getValuesAs(JsonObject.class).stream()
                .filter(user -> user.containsKey("serviceAccountClientId")).findFirst().orElseThrow();
        assertThat(account.getString("serviceAccountClientId")).isEqualTo("fhir-snapshot-services");
        assertThat(account.getJsonArray("groups").getValuesAs(JsonValue.class)).extracting(Object::toString)
                .containsExactly("\"/service\"");
    }

    @Test
    void webClientUsesTheCodeFlowWithPkceAndNothingElse() {
        KeycloakRealm realm = KeycloakRealm.create("secret").withWebClient(KeycloakRealm.CONSOLE_CLIENT,
                "console-secret", List.of("http://127.0.0.1:8080/*", "http://localhost:8080/*"));

        JsonObject client = KeycloakRealm.webClientJson(realm.webClient("fhir-snapshot-console")).build();
        assertThat(client.getString("clientId")).isEqualTo("fhir-snapshot-console");
        assertThat(client.getBoolean("publicClient")).isFalse();
        assertThat(client.getString("secret")).isEqualTo("console-secret");
        assertThat(client.getBoolean("standardFlowEnabled")).isTrue();
        assertThat(client.getBoolean("implicitFlowEnabled")).isFalse();
        assertThat(client.getBoolean("directAccessGrantsEnabled")).isFalse();
        assertThat(client.getBoolean("serviceAccountsEnabled")).isFalse();
        assertThat(client.getJsonArray("redirectUris").getValuesAs(JsonString.class)).extracting(JsonString::getString)
                .containsExactly("http://127.0.0.1:8080/*", "http://localhost:8080/*");
        assertThat(client.getJsonArray("webOrigins").getValuesAs(JsonString.class)).extracting(JsonString::getString)
                .containsExactly("+");
        assertThat(client.getJsonObject("attributes").getString("pkce.code.challenge.method")).isEqualTo("S256");
        JsonObject mapper = client.getJsonArray("protocolMappers").getJsonObject(0).getJsonObject("config");
        assertThat(mapper.getString("claim.name")).isEqualTo("groups");
        assertThat(mapper.getString("full.path")).isEqualTo("false");
    }

    @Test
    void webClientIsNotPartOfTheImportSoAddingOneNeverReimportsTheRealm() {
        String without = KeycloakRealm.create("secret").toJson();

        String with = KeycloakRealm.create("secret")
                .withWebClient(KeycloakRealm.CONSOLE_CLIENT, "console-secret", List.of("http://127.0.0.1:8080/*"))
                .toJson();

        assertThat(with).isEqualTo(without).doesNotContain("fhir-snapshot-console");
    }

    @Test
    void webClientNeedsASecretAndARedirectUri() {
        assertThatThrownBy(() -> KeycloakRealm.create("secret").withWebClient("web", " ", List.of("http://x/*")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeycloakRealm.create("secret").withWebClient("web", "s", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretIsCreatedOnceAndKeptOwnerOnly(@TempDir Path dir) throws Exception {
        String first = KeycloakRealm.loadOrCreateSecret(dir.resolve("a/secret"));

        assertThat(KeycloakRealm.loadOrCreateSecret(dir.resolve("a/secret"))).isEqualTo(first);
        assertThat(first).hasSizeGreaterThanOrEqualTo(32);
        assertThat(Files.getPosixFilePermissions(dir.resolve("a/secret")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }
}
