package org.fhirsnapshot.ehrauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.fhirsnapshot.ehrauth.EhrAuthException.Kind;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token requests against the real FHIR sandbox (its SMART Backend Services token endpoint and
 * {@code .well-known/smart-configuration}), and, for {@code client-secret}, which the sandbox does not offer, against
 * a small OAuth token endpoint standing in for an EHR's.
 */
class EhrTokenClientTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int LIFETIME_SECONDS = 120;

    private static FhirSandbox sandbox;
    private static Vertx vertx;
    private static WebClient web;
    private static EhrTokenClient client;

    @BeforeAll
    static void start() {
        sandbox = FhirSandbox.start(0);
        vertx = Vertx.vertx();
        web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000));
        client = new EhrTokenClient(web, Clock.systemUTC(), Duration.ofSeconds(5));
    }

    @AfterEach
    void noAuthorization() {
        sandbox.disableSmartBackend();
    }

    @AfterAll
    static void stop() {
        web.close();
        vertx.closeAndAwait();
        sandbox.close();
    }

    private static FhirSystemSettings system(String baseUrl, AuthSettings auth) {
        return new FhirSystemSettings(1, "EHR", baseUrl, null, auth, new Limits(4, 20, 100));
    }

    private static AccessToken token(FhirSystemSettings system) {
        return client.requestToken(system).await().atMost(WAIT);
    }

    private static EhrAuthException failure(Uni<?> call) {
        return catchThrowableOfType(EhrAuthException.class, () -> call.await().atMost(WAIT));
    }

    @Test
    void smartBackendDiscoversTheTokenEndpointAndGetsATokenTheServerAccepts() throws Exception {
        KeyPair keys = ClientAssertionTest.keyPair("RS384");
        sandbox.requireSmartBackend("snapshot-rs", keys.getPublic(), LIFETIME_SECONDS);
        FhirSystemSettings system = system(sandbox.baseUrl(),
                ClientAssertionTest.smartBackend("snapshot-rs", ClientAssertionTest.pem(keys), "k1", "RS384"));

        assertThat(client.tokenEndpoint(system).await().atMost(WAIT)).isEqualTo(sandbox.tokenEndpoint());
        AccessToken token = token(system);

        assertThat(token.headerValue()).startsWith("Bearer ");
        assertThat(token.lifetime()).isEqualTo(Duration.ofSeconds(LIFETIME_SECONDS));
        assertThat(token.lifetimeStated()).isTrue();
        assertThat(token.toString()).doesNotContain(token.headerValue().substring(7));
        assertThat(fhirStatus(null)).isEqualTo(401);
        assertThat(fhirStatus(token.headerValue())).isEqualTo(200);
    }

    @Test
    void smartBackendUsesTheConfiguredTokenUrlWithAnEs384Key() throws Exception {
        KeyPair keys = ClientAssertionTest.keyPair("ES384");
        sandbox.requireSmartBackend("snapshot-es", keys.getPublic(), LIFETIME_SECONDS);
        AuthSettings auth = new AuthSettings("smart-backend", null, sandbox.tokenEndpoint(), "snapshot-es", null,
                null, ClientAssertionTest.pem(keys), "k2", "ES384");
        // A base URL without discovery: only the configured token URL can work.
        FhirSystemSettings system = system(sandbox.rootUrl() + "/no-fhir-here", auth);

        AccessToken token = token(system);

        assertThat(fhirStatus(token.headerValue())).isEqualTo(200);
    }

    @Test
    void aKnownTokenEndpointSkipsDiscovery() throws Exception {
        KeyPair keys = ClientAssertionTest.keyPair("RS384");
        sandbox.requireSmartBackend("snapshot-known", keys.getPublic(), LIFETIME_SECONDS);
        // No .well-known under this base URL: a discovery would fail.
        FhirSystemSettings system = system(sandbox.rootUrl() + "/no-fhir-here", ClientAssertionTest.smartBackend(
                "snapshot-known", ClientAssertionTest.pem(keys), "k", "RS384"));

        AccessToken token = client.requestToken(system, sandbox.tokenEndpoint()).await().atMost(WAIT);

        assertThat(fhirStatus(token.headerValue())).isEqualTo(200);
    }

    @Test
    void aWrongClientIdIsARefusalWithTheOauthError() throws Exception {
        KeyPair keys = ClientAssertionTest.keyPair("RS384");
        sandbox.requireSmartBackend("registered-client", keys.getPublic(), LIFETIME_SECONDS);
        FhirSystemSettings system = system(sandbox.baseUrl(),
                ClientAssertionTest.smartBackend("some-other-client", ClientAssertionTest.pem(keys), "k", "RS384"));

        EhrAuthException e = failure(client.requestToken(system));

        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
        assertThat(e.transport()).isFalse();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.oauthError()).isEqualTo("invalid_client");
        assertThat(e.oauthErrorDescription()).isNotBlank();
        assertThat(e.getMessage()).contains("HTTP 400").contains("invalid_client").contains("client id");
    }

    @Test
    void aKeyTheEhrDoesNotKnowIsARefusal() throws Exception {
        sandbox.requireSmartBackend("snapshot-key", ClientAssertionTest.keyPair("RS384").getPublic(),
                LIFETIME_SECONDS);
        String otherKey = ClientAssertionTest.pem(ClientAssertionTest.keyPair("RS384"));
        FhirSystemSettings system = system(sandbox.baseUrl(),
                ClientAssertionTest.smartBackend("snapshot-key", otherKey, "k", "RS384"));

        EhrAuthException e = failure(client.requestToken(system));

        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
        assertThat(e.oauthError()).isEqualTo("invalid_client");
        String keyBody = otherKey.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();
        assertThat(e.getMessage()).doesNotContain(keyBody).as("the assertion the EHR echoes is left out")
                .doesNotContain("eyJ");
    }

    @Test
    void noSmartConfigurationIsADiscoveryFailureSayingToSetTheTokenUrl() throws Exception {
        FhirSystemSettings system = system(sandbox.rootUrl() + "/no-fhir-here", ClientAssertionTest.smartBackend(
                "c", ClientAssertionTest.pem(ClientAssertionTest.keyPair("RS384")), "k", "RS384"));

        EhrAuthException e = failure(client.requestToken(system));

        assertThat(e.kind()).isEqualTo(Kind.DISCOVERY);
        assertThat(e.transport()).isFalse();
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).contains("smart-configuration").contains("auth.tokenUrl");
    }

    @Test
    void anUnreachableTokenUrlIsATransportFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AuthSettings auth = new AuthSettings("smart-backend", null, "http://127.0.0.1:" + closedPort
                + "/oauth/token?tenant=x", "c", null, null,
                ClientAssertionTest.pem(ClientAssertionTest.keyPair("RS384")), "k", "RS384");

        EhrAuthException e = failure(client.requestToken(system(sandbox.baseUrl(), auth)));

        assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
        assertThat(e.transport()).isTrue();
        assertThat(e.timeout()).isFalse();
        assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort).contains("refused")
                .doesNotContain("tenant=x");
    }

    @Test
    void aTokenEndpointThatNeverAnswersIsATimeout() throws Exception {
        // Connections are accepted (the kernel's backlog) but nothing ever answers.
        try (ServerSocket silent = new ServerSocket(0)) {
            EhrTokenClient impatient = new EhrTokenClient(web, Clock.systemUTC(), Duration.ofMillis(300));
            AuthSettings auth = new AuthSettings("client-secret", null,
                    "http://127.0.0.1:" + silent.getLocalPort() + "/token", "c", "s", null);

            EhrAuthException e = failure(impatient.requestToken(system(sandbox.baseUrl(), auth)));

            assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(e.transport()).isTrue();
            assertThat(e.timeout()).isTrue();
        }
    }

    @Test
    void clientSecretSendsHttpBasicAndReadsTheToken() throws Exception {
        sandbox.requireClientSecret("client 1", "s3cr:et&", LIFETIME_SECONDS);
        AuthSettings auth = new AuthSettings("client-secret", null, sandbox.tokenEndpoint(), "client 1", "s3cr:et&",
                "system/*.read");

        AccessToken token = token(system(sandbox.baseUrl(), auth));

        assertThat(token.headerValue()).startsWith("Bearer ");
        assertThat(token.lifetime()).isEqualTo(Duration.ofSeconds(LIFETIME_SECONDS));
        assertThat(token.lifetimeStated()).isTrue();
        assertThat(token.scope()).isEqualTo("system/*.read");
        assertThat(fhirStatus(token.headerValue())).as("the sandbox accepts the token").isEqualTo(200);
    }

    @Test
    void aWrongClientSecretIsARefusalThatNamesNoSecret() throws Exception {
        sandbox.requireClientSecret("client-1", "right-secret", LIFETIME_SECONDS);
        AuthSettings auth = new AuthSettings("client-secret", null, sandbox.tokenEndpoint(), "client-1",
                "wrong-secret", null);

        EhrAuthException e = failure(client.requestToken(system(sandbox.baseUrl(), auth)));

        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).contains("HTTP 401 (invalid_client")
                .doesNotContain("wrong-secret").doesNotContain("right-secret");
    }

    @Test
    void anAnswerWithoutAnAccessTokenIsAFailure() throws IOException {
        HttpServer server = tokenEndpoint("c", "s", 200, "<html>login</html>");
        try {
            AuthSettings auth = new AuthSettings("client-secret", null, url(server), "c", "s", null);

            EhrAuthException e = failure(client.requestToken(system(sandbox.baseUrl(), auth)));

            assertThat(e.kind()).isEqualTo(Kind.SERVER_ERROR);
            assertThat(e.getMessage()).contains("without an access_token").contains("not JSON");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void smartBackendWithoutAKeyFailsBeforeAnyDiscovery() {
        String unreachable = "http://127.0.0.1:1/fhir";

        EhrAuthException e = failure(client.tokenEndpoint(system(unreachable,
                new AuthSettings("smart-backend", null, null, "client", null, null))));

        assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION);
        assertThat(e.getMessage()).contains("smart-backend").contains("private key");
    }

    @Test
    void incompleteSettingsAreConfigurationFailures() {
        EhrAuthException noSecret = failure(client.requestToken(system(sandbox.baseUrl(),
                new AuthSettings("client-secret", null, "https://ehr.example.org/token", "c", null, null))));
        EhrAuthException bearer = failure(client.requestToken(system(sandbox.baseUrl(),
                new AuthSettings("bearer", "t", null, null, null, null))));

        assertThat(noSecret.kind()).isEqualTo(Kind.CONFIGURATION);
        assertThat(noSecret.getMessage()).contains("auth.clientSecret");
        assertThat(bearer.kind()).isEqualTo(Kind.CONFIGURATION);
        assertThat(EhrTokenClient.requestsTokens(system(sandbox.baseUrl(),
                new AuthSettings("bearer", "t", null, null, null, null)))).isFalse();
    }

    private static int fhirStatus(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/Patient?_count=1"))
                .header("Accept", "application/fhir+json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token";
    }

    /**
     * An EHR's OAuth token endpoint: answers {@code status}/{@code body} to a client_credentials POST that
     * authenticates with HTTP Basic as {@code clientId}/{@code secret} (form-urlencoded, RFC 6749 §2.3.1), else 401
     * (or 200 answers become 401).
     */
    private static HttpServer tokenEndpoint(String clientId, String secret, int status, String body)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String expected = "Basic " + Base64.getEncoder().encodeToString((java.net.URLEncoder.encode(clientId,
                StandardCharsets.UTF_8) + ":" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        server.createContext("/oauth2/token", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean authenticated = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    && form.contains("grant_type=client_credentials");
            int answer = status == 200 && !authenticated ? 401 : status;
            byte[] bytes = (answer == status ? body : "{\"error\":\"invalid_client\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
