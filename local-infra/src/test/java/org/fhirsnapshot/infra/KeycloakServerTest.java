package org.fhirsnapshot.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real Keycloak for the whole class: it takes 20-70 s to start on 2 shared cores. */
class KeycloakServerTest {

    @TempDir
    static Path dir;

    private static KeycloakServer keycloak;
    private static JwtConsumer verifier;

    @BeforeAll
    static void startKeycloak() {
        KeycloakRealm realm = KeycloakRealm.create(KeycloakRealm.loadOrCreateSecret(dir.resolve("services.secret")))
                .withProject("demo");
        keycloak = KeycloakServer.start(dir.resolve("keycloak"), 0, realm);
        // What quarkus-oidc checks: the signature against the realm's keys, the issuer, the expiry.
        verifier = new JwtConsumerBuilder().setExpectedIssuer(keycloak.issuerUrl()).setRequireExpirationTime()
                .setSkipDefaultAudienceValidation()
                .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(
                        new HttpsJwks(keycloak.issuerUrl() + "/protocol/openid-connect/certs")))
                .build();
    }

    @AfterAll
    static void stopKeycloak() {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void projectUserTokenCarriesItsProjectGroupWithoutLeadingSlash() throws Exception {
        JwtClaims claims = verifier.processToClaims(keycloak.passwordToken("demo-reader", "demo-reader"));

        assertThat(claims.getIssuer()).isEqualTo("http://127.0.0.1:" + keycloak.port() + "/realms/fhir-snapshot");
        assertThat(claims.getStringListClaimValue("groups")).containsExactly("project:demo:reader");
        assertThat(claims.getStringClaimValue("preferred_username")).isEqualTo("demo-reader");
    }

    @Test
    void everyRoleHasAUserWhoseTokenCarriesThatRole() throws Exception {
        assertThat(groupsOf(keycloak.passwordToken("admin"))).containsExactly("admin");
        assertThat(groupsOf(keycloak.passwordToken("demo-exporter"))).containsExactly("project:demo:exporter");
        assertThat(groupsOf(keycloak.passwordToken("demo-manager"))).containsExactly("project:demo:manager");
    }

    @Test
    void servicesClientCredentialsTokenCarriesTheServiceGroup() throws Exception {
        JwtClaims claims = verifier.processToClaims(keycloak.clientCredentialsToken(KeycloakRealm.SERVICES_CLIENT,
                Files.readString(dir.resolve("services.secret")).trim()));

        assertThat(claims.getStringListClaimValue("groups")).containsExactly("service");
        assertThat(claims.getStringClaimValue("azp")).isEqualTo(KeycloakRealm.SERVICES_CLIENT);
    }

    @Test
    void tokenFetchedThroughLocalhostStillNamesTheLoopbackIssuer() throws Exception {
        // Services trust the issuer of the discovery document; a user who types localhost must get the same one.
        String form = "grant_type=password&client_id=fhir-snapshot-cli&username=demo-reader&password=demo-reader";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + keycloak.port()
                        + "/realms/fhir-snapshot/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        String token = Json.createReader(new StringReader(response.body())).readObject().getString("access_token");

        assertThat(verifier.processToClaims(token).getIssuer()).isEqualTo(keycloak.issuerUrl());
    }

    @Test
    void projectAddedToTheRunningRealmGetsAUserPerRole() throws Exception {
        keycloak.addProject("late-7");
        keycloak.addProject("late-7");

        assertThat(groupsOf(keycloak.passwordToken("late-7-manager", "late-7-manager")))
                .containsExactly("project:late-7:manager");
        assertThat(groupsOf(keycloak.passwordToken("late-7-reader", "late-7-reader")))
                .containsExactly("project:late-7:reader");
        // The realm it imports is unchanged: a restart keeps the database (and the signing keys) instead of
        // importing afresh.
        assertThat(keycloak.realm().groups()).doesNotContain("project:late-7:exporter");
    }

    @Test
    void wrongPasswordAndWrongSecretAreRefused() {
        assertThatThrownBy(() -> keycloak.passwordToken("demo-reader", "not-the-password"))
                .hasMessageContaining("invalid_grant");
        assertThatThrownBy(() -> keycloak.clientCredentialsToken(KeycloakRealm.SERVICES_CLIENT, "not-the-secret"))
                .hasMessageContaining("unauthorized_client").hasMessageNotContaining("not-the-secret");
    }

    @Test
    void servicePropertiesPointQuarkusOidcAndOidcClientAtTheRealm() {
        assertThat(keycloak.serviceProperties())
                .containsEntry("quarkus.oidc.auth-server-url", keycloak.issuerUrl())
                .containsEntry("quarkus.oidc-client.auth-server-url", keycloak.issuerUrl())
                .containsEntry("quarkus.oidc-client.client-id", "fhir-snapshot-services")
                .containsEntry(KeycloakServer.CLIENT_SECRET_PROPERTY, keycloak.realm().servicesClientSecret());
    }

    @Test
    void importedRealmFileHoldingTheSecretsIsOwnerOnly() throws Exception {
        Path realmFile = keycloak.dataDirectory().resolve("data/import/fhir-snapshot-realm.json");

        assertThat(Files.readString(realmFile)).contains(keycloak.realm().servicesClientSecret());
        assertThat(Files.getPosixFilePermissions(realmFile)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
    }

    private static List<String> groupsOf(String token) throws Exception {
        return verifier.processToClaims(token).getStringListClaimValue("groups");
    }
}
