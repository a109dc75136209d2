package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** smart-backend key pairs: generated or given, never returned, their public half served as a JWK Set. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class SmartBackendKeysApiTest {

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void generatesAKeyPairWhoseJwksVerifiesWhatThePrivateKeySigns(String algorithm) throws Exception {
        String clientId = "client-" + UUID.randomUUID();
        String created = given().contentType(ContentType.JSON)
                .body(Map.of("name", "Epic", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "smart-backend", "clientId", clientId, "algorithm", algorithm)))
                .when().post("/api/fhir-systems")
                .then().statusCode(201)
                .body("auth.algorithm", equalTo(algorithm))
                .body("auth.keyId", notNullValue())
                .body("auth.hasSecret", equalTo(true))
                .body("auth.jwksUrl", endsWith("/jwks.json"))
                .extract().asString();
        JsonPath view = JsonPath.from(created);
        long id = view.getLong("id");
        assertThat(view.getString("auth.jwksUrl")).startsWith("http").endsWith("/api/fhir-systems/" + id
                + "/jwks.json");
        assertThat(created).doesNotContain("PRIVATE KEY", "\"privateKey\"");

        String jwks = given().when().get("/api/fhir-systems/{id}/jwks.json", id)
                .then().statusCode(200).contentType(ContentType.JSON).extract().asString();
        Map<String, Object> key = JsonPath.from(jwks).getMap("keys[0]");
        assertThat(JsonPath.from(jwks).getList("keys")).hasSize(1);
        assertThat(key).containsEntry("kid", view.getString("auth.keyId")).containsEntry("alg", algorithm)
                .containsEntry("use", "sig").doesNotContainKeys("d", "p", "q", "dp", "dq", "qi");
        if (algorithm.equals("RS384")) {
            assertThat(key).containsEntry("kty", "RSA").containsKeys("n", "e");
        } else {
            assertThat(key).containsEntry("kty", "EC").containsEntry("crv", "P-384").containsKeys("x", "y");
        }

        // The private key the worker gets signs what the published JWK verifies.
        String privateKey = given().when().get("/internal/fhir-systems/{id}", id).then().statusCode(200)
                .extract().path("auth.privateKey");
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(clientId);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setKey(SmartBackendKeys.privateKey(privateKey, algorithm));
        String signed = jws.getCompactSerialization();
        JsonWebKey published = new JsonWebKeySet(jwks).getJsonWebKeys().get(0);
        JwtClaims verified = new JwtConsumerBuilder().setVerificationKey(published.getKey()).build()
                .processToClaims(signed);
        assertThat(verified.getIssuer()).isEqualTo(clientId);
    }

    @Test
    void servesTheGivenKeysPublicHalfUnderItsKeyIdAndKeepsItAcrossAnUpdate() throws Exception {
        String privateKey = FhirSystemAuthTest.pem(KeyPairGenerator.getInstance("RSA"), 2048);
        long id = ApiFixtures.createSystem(Map.of("name", "Epic", "baseUrl", "https://ehr.example.org/fhir",
                "auth", Map.of("type", "smart-backend", "clientId", "c1", "privateKey", privateKey, "keyId",
                        "key-2026")));
        String before = given().when().get("/api/fhir-systems/{id}/jwks.json", id).then().statusCode(200)
                .extract().asString();

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Epic", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "smart-backend", "clientId", "c2", "keyId", "key-2026")))
                .when().put("/api/fhir-systems/{id}", id).then().statusCode(200)
                .body("auth.clientId", equalTo("c2"));
        String after = given().when().get("/api/fhir-systems/{id}/jwks.json", id).then().statusCode(200)
                .extract().asString();

        assertThat(JsonPath.from(before).getString("keys[0].kid")).isEqualTo("key-2026");
        assertThat(JsonPath.from(before).getString("keys[0].kty")).isEqualTo("RSA");
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aSystemWithoutSmartBackendHasAnEmptyJwksAndNoJwksUrl() {
        long id = ApiFixtures.createSystem(Map.of("name", "HAPI", "baseUrl", "https://hapi.example.org/fhir"));

        given().when().get("/api/fhir-systems/{id}", id).then().statusCode(200)
                .body("auth.jwksUrl", org.hamcrest.Matchers.nullValue());
        assertThat(given().when().get("/api/fhir-systems/{id}/jwks.json", id).then().statusCode(200)
                .extract().jsonPath().getList("keys")).isEqualTo(List.of());
        given().when().get("/api/fhir-systems/{id}/jwks.json", 987654321).then().statusCode(404);
    }
}
