package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token part of {@code POST /api/fhir-systems/{id}/check} against the real FHIR sandbox: its CapabilityStatement
 * and its SMART Backend Services token endpoint, with the key pair config-service generated and publishes as JWKS.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class FhirSystemTokenCheckApiTest {

    private static final int TOKEN_LIFETIME_SECONDS = 180;

    private static FhirSandbox sandbox;

    @BeforeAll
    static void startSandbox() {
        sandbox = FhirSandbox.start(0);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    /** A smart-backend system on the sandbox with a generated key; returns its id. */
    private static long smartBackendSystem(String clientId, Map<String, Object> extraAuth) {
        Map<String, Object> auth = new java.util.HashMap<>(Map.of("type", "smart-backend", "clientId", clientId,
                "algorithm", "ES384"));
        auth.putAll(extraAuth);
        return ApiFixtures.createSystem(Map.of("name", "Sandbox SMART", "baseUrl", sandbox.baseUrl(), "auth", auth));
    }

    /** Registers the system's public key (from its JWKS URL) with the sandbox's token endpoint for {@code clientId}. */
    private static void registerWithSandbox(long systemId, String clientId) {
        String jwks = given().when().get("/api/fhir-systems/{id}/jwks.json", systemId)
                .then().statusCode(200).extract().asString();
        Map<String, Object> jwk = JsonPath.from(jwks).getMap("keys[0]");
        String jwkJson = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(jwk).toString();
        sandbox.requireSmartBackend(clientId, jwkJson, TOKEN_LIFETIME_SECONDS);
    }

    @Test
    void smartBackendCheckDiscoversTheEndpointAndObtainsATokenWithoutShowingIt() {
        long id = smartBackendSystem("snapshot-check", Map.of());
        registerWithSandbox(id, "snapshot-check");
        long issuedBefore = sandbox.stats().tokensIssued();

        String answer = given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("reachable", equalTo(true))
                .body("fhirVersion", equalTo("4.0.1"))
                .body("token.needed", equalTo(true))
                .body("token.obtained", equalTo(true))
                .body("token.lifetimeSeconds", equalTo(TOKEN_LIFETIME_SECONDS))
                .body("token.tokenEndpoint", equalTo(sandbox.tokenEndpoint()))
                .body("token.detail", containsString("Obtained an access token"))
                .body("token.detail", containsString(".well-known/smart-configuration"))
                .extract().asString();

        assertThat(sandbox.stats().tokensIssued()).isEqualTo(issuedBefore + 1);
        assertThat(answer).doesNotContainIgnoringCase("bearer ").doesNotContain("access_token");
    }

    @Test
    void aClientIdTheEhrDoesNotKnowIsReportedWithTheOauthError() {
        long id = smartBackendSystem("snapshot-unknown", Map.of());
        registerWithSandbox(id, "another-client");

        given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("reachable", equalTo(true))
                .body("token.needed", equalTo(true))
                .body("token.obtained", equalTo(false))
                .body("token.lifetimeSeconds", nullValue())
                .body("token.tokenEndpoint", equalTo(sandbox.tokenEndpoint()))
                .body("token.tokenStatus", equalTo(400))
                .body("token.error", equalTo("invalid_client"))
                .body("token.detail", containsString("refused"))
                .body("token.detail", containsString("client id"));
    }

    @Test
    void anUnreachableTokenUrlIsReported() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long id = smartBackendSystem("snapshot-gone", Map.of("tokenUrl",
                "http://127.0.0.1:" + closedPort + "/oauth/token"));

        given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("reachable", equalTo(true))
                .body("token.obtained", equalTo(false))
                .body("token.tokenStatus", nullValue())
                .body("token.detail", containsString("Could not reach the token endpoint at 127.0.0.1:" + closedPort));
    }

    @Test
    void clientSecretRefusedByTheTokenEndpointIsReportedWithoutTheSecret() {
        // The sandbox's token endpoint only knows SMART Backend Services: a client secret is refused.
        long id = ApiFixtures.createSystem(Map.of("name", "Sandbox secret", "baseUrl", sandbox.baseUrl(), "auth",
                Map.of("type", "client-secret", "tokenUrl", sandbox.tokenEndpoint(), "clientId", "c1",
                        "clientSecret", "very-secret-value")));

        String answer = given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("token.needed", equalTo(true))
                .body("token.obtained", equalTo(false))
                .body("token.tokenStatus", equalTo(400))
                .body("token.detail", containsString("HTTP 400"))
                .extract().asString();

        assertThat(answer).doesNotContain("very-secret-value");
    }

    @Test
    void noAuthNeedsNoToken() {
        long id = ApiFixtures.createSystem(Map.of("name", "Open sandbox", "baseUrl", sandbox.baseUrl()));

        given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("reachable", equalTo(true))
                .body("token.needed", equalTo(false))
                .body("token.obtained", nullValue())
                .body("token.detail", containsString("No token needed"));
    }

    @Test
    void aStaticBearerTokenIsNotTestedAndNotShown() {
        long id = ApiFixtures.createSystem(Map.of("name", "Bearer", "baseUrl", sandbox.baseUrl(), "auth",
                Map.of("type", "bearer", "token", "static-token-value")));

        String answer = given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("token.needed", equalTo(true))
                .body("token.obtained", nullValue())
                .body("token.detail", containsString("static bearer token"))
                .extract().asString();

        assertThat(answer).doesNotContain("static-token-value");
    }
}
