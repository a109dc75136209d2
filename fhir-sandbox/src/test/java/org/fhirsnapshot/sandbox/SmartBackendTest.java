package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** SMART Backend Services on the sandbox, over real HTTP; client assertions signed with jose4j. */
class SmartBackendTest {

    private static final String CLIENT = "snapshot-client";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static FhirSandbox sandbox;
    private static KeyPair rsa;

    @BeforeAll
    static void start() throws Exception {
        sandbox = FhirSandbox.start(0);
        rsa = keyPair("RS384");
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void disable() {
        sandbox.disableSmartBackend();
    }

    @Test
    void withoutSmartEveryRequestPassesAndNoSmartConfigurationIsServed() throws Exception {
        assertThat(get("/fhir/Patient?_id=p001", null).statusCode()).isEqualTo(200);
        assertThat(get("/fhir/.well-known/smart-configuration", null).statusCode()).isEqualTo(404);
    }

    @Test
    void requiresATokenOnFhirButKeepsMetadataAndSmartConfigurationPublic() throws Exception {
        sandbox.requireSmartBackend(CLIENT, rsa.getPublic(), 60);
        long unauthorizedBefore = sandbox.stats().unauthorized();

        HttpResponse<String> configuration = get("/fhir/.well-known/smart-configuration", null);
        HttpResponse<String> search = get("/fhir/Patient?_id=p001", null);
        HttpResponse<String> wrongToken = get("/fhir/Patient?_id=p001", "Bearer made-up");

        assertThat(configuration.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(configuration.body()).path("token_endpoint").asText())
                .isEqualTo(sandbox.rootUrl() + "/sandbox/oauth/token").isEqualTo(sandbox.tokenEndpoint());
        assertThat(search.statusCode()).isEqualTo(401);
        assertThat(search.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(get("/fhir/metadata", null).statusCode()).isEqualTo(200);
        assertThat(sandbox.stats().unauthorized() - unauthorizedBefore).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void issuesABearerTokenForAValidAssertionThatOpensFhir(String algorithm) throws Exception {
        KeyPair keys = algorithm.equals("RS384") ? rsa : keyPair(algorithm);
        sandbox.requireSmartBackend(CLIENT, keys.getPublic(), 120);
        long issuedBefore = sandbox.stats().tokensIssued();

        HttpResponse<String> answer = token(assertion(keys.getPrivate(), algorithm, CLIENT, sandbox.tokenEndpoint(),
                UUID.randomUUID().toString(), 240));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("token_type").asText()).isEqualToIgnoringCase("bearer");
        assertThat(body.path("expires_in").asInt()).isEqualTo(120);
        String token = body.path("access_token").asText();
        assertThat(get("/fhir/Patient?_id=p001", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(sandbox.stats().tokensIssued() - issuedBefore).isEqualTo(1);
    }

    @Test
    void refusesAReusedJwtIdAWrongAudienceAnotherKeyAnotherClientAndAFarExpiry() throws Exception {
        sandbox.requireSmartBackend(CLIENT, rsa.getPublic(), 60);
        String endpoint = sandbox.tokenEndpoint();
        String jti = UUID.randomUUID().toString();
        assertThat(token(assertion(rsa.getPrivate(), "RS384", CLIENT, endpoint, jti, 60)).statusCode())
                .isEqualTo(200);

        Map<String, HttpResponse<String>> refused = Map.of(
                "reused jti", token(assertion(rsa.getPrivate(), "RS384", CLIENT, endpoint, jti, 60)),
                "wrong aud", token(assertion(rsa.getPrivate(), "RS384", CLIENT, sandbox.baseUrl(), uuid(), 60)),
                "other key", token(assertion(keyPair("RS384").getPrivate(), "RS384", CLIENT, endpoint, uuid(), 60)),
                "other client", token(assertion(rsa.getPrivate(), "RS384", "intruder", endpoint, uuid(), 60)),
                "exp in 10 min", token(assertion(rsa.getPrivate(), "RS384", CLIENT, endpoint, uuid(), 600)),
                "expired", token(assertion(rsa.getPrivate(), "RS384", CLIENT, endpoint, uuid(), -120)));

        refused.forEach((reason, answer) -> {
            assertThat(answer.statusCode()).as(reason).isEqualTo(400);
            assertThat(answer.body()).as(reason).contains("invalid_client").as("the assertion is not echoed")
                    .doesNotContain("eyJ");
        });
    }

    @Test
    void aClientSecretClientGetsATokenWithHttpBasicAndAWrongSecretIsRefused() throws Exception {
        sandbox.requireClientSecret("secret-client", "s3cr&t:pass", 60);
        long issuedBefore = sandbox.stats().tokensIssued();

        HttpResponse<String> right = basicToken("secret-client", "s3cr&t:pass");
        HttpResponse<String> wrong = basicToken("secret-client", "guess");
        HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create(sandbox.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());

        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        String token = JSON.readTree(right.body()).path("access_token").asText();
        assertThat(get("/fhir/Patient?_id=p001", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(get("/fhir/Patient?_id=p001", null).statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("invalid_client").doesNotContain("guess");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(sandbox.stats().tokensIssued() - issuedBefore).isEqualTo(1);
    }

    /** RFC 6749 §2.3.1: id and secret form-urlencoded, then joined for HTTP Basic. */
    private static HttpResponse<String> basicToken(String clientId, String secret) throws Exception {
        String credentials = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(URI.create(sandbox.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());
    }

    @Test
    void enablesSmartOverHttpWithAPublicJwkAndDisablesIt() throws Exception {
        String jwk = PublicJsonWebKey.Factory.newPublicJwk(rsa.getPublic()).toJson();

        HttpResponse<String> enabled = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                + "/sandbox/smart-backend")).POST(HttpRequest.BodyPublishers.ofString("{\"clientId\":\"" + CLIENT
                        + "\",\"tokenLifetimeSeconds\":30,\"jwk\":" + jwk + "}"))
                .build());
        int whileEnabled = get("/fhir/Patient?_id=p001", null).statusCode();
        HttpResponse<String> answer = token(assertion(rsa.getPrivate(), "RS384", CLIENT, sandbox.tokenEndpoint(),
                uuid(), 60));
        HttpResponse<String> disabled = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                + "/sandbox/smart-backend")).DELETE().build());

        assertThat(enabled.statusCode()).isEqualTo(204);
        assertThat(whileEnabled).isEqualTo(401);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("expires_in").asInt()).isEqualTo(30);
        assertThat(disabled.statusCode()).isEqualTo(204);
        assertThat(get("/fhir/Patient?_id=p001", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenStopsOpeningFhirOnceItsLifetimeIsOver() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        SmartBackendServer server = new SmartBackendServer(new RequestCounters(), clock);
        server.require(CLIENT, rsa.getPublic(), 2);
        String endpoint = "http://127.0.0.1:1/sandbox/oauth/token";

        SmartBackendServer.TokenResponse answer = server.token(endpoint, Map.of("grant_type", "client_credentials",
                "client_assertion_type", SmartBackendServer.JWT_BEARER, "client_assertion",
                assertion(rsa.getPrivate(), "RS384", CLIENT, endpoint, uuid(), 60)), null);
        String header = "Bearer " + answer.body().get("access_token");
        boolean fresh = server.authorized(header);
        clock.now = clock.now.plusSeconds(2);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(fresh).isTrue();
        assertThat(server.authorized(header)).isFalse();
    }

    static KeyPair keyPair(String algorithm) throws Exception {
        if (algorithm.startsWith("RS")) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        return generator.generateKeyPair();
    }

    static String assertion(PrivateKey key, String algorithm, String clientId, String audience, String jti,
            int expiresInSeconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(clientId);
        claims.setSubject(clientId);
        claims.setAudience(audience);
        claims.setJwtId(jti);
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().getEpochSecond() + expiresInSeconds));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setKeyIdHeaderValue("k1");
        jws.setAlgorithmHeaderValue(algorithm);
        return jws.getCompactSerialization();
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static HttpResponse<String> token(String assertion) throws Exception {
        Map<String, String> form = Map.of("grant_type", "client_credentials", "scope", "system/*.read",
                "client_assertion_type", SmartBackendServer.JWT_BEARER, "client_assertion", assertion);
        String body = form.entrySet().stream().map(entry -> entry.getKey() + "="
                + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(sandbox.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + path))
                .header("Accept", "application/fhir+json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A clock a test moves by hand. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
