package org.fhirsnapshot.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads against a real HTTP server (the FHIR sandbox's plain-text and JSON endpoints), and the bearer token on
 * every request against one that answers with the Authorization header it received.
 */
class ApiClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FhirSandbox sandbox;
    private static HttpServer echo;
    private final ApiClient api = ApiClient.anonymous();

    @BeforeAll
    static void start() throws Exception {
        sandbox = FhirSandbox.start(0);
        echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        echo.createContext("/", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] body = JSON.writeValueAsBytes(Map.of("authorization", authorization == null ? "" : authorization,
                    "method", exchange.getRequestMethod()));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        echo.start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
        echo.stop(0);
    }

    @Test
    void everyKindOfRequestCarriesTheSuppliersCurrentTokenAsBearer(@TempDir Path dir) throws Exception {
        AtomicInteger issued = new AtomicInteger();
        ApiClient client = new ApiClient(() -> "token-" + issued.incrementAndGet());
        String url = "http://127.0.0.1:" + echo.getAddress().getPort() + "/api/projects";

        assertThat(client.get(url).path("authorization").asText()).isEqualTo("Bearer token-1");
        assertThat(client.post(url, Map.of("key", "a")).path("authorization").asText()).isEqualTo("Bearer token-2");
        assertThat(client.put(url, Map.of("key", "a")).path("authorization").asText()).isEqualTo("Bearer token-3");
        assertThat(client.postText(url, "a").path("authorization").asText()).isEqualTo("Bearer token-4");
        assertThat(client.delete(url).path("method").asText()).isEqualTo("DELETE");
        client.download(url, dir.resolve("answer.json"));
        assertThat(JSON.readTree(dir.resolve("answer.json").toFile()).path("authorization").asText())
                .isEqualTo("Bearer token-6");
    }

    @Test
    void anAnonymousClientSendsNoAuthorizationHeader() {
        String url = "http://127.0.0.1:" + echo.getAddress().getPort() + "/api/projects";

        assertThat(api.get(url).path("authorization").asText()).isEmpty();
    }

    @Test
    void aDownloadReplacesALongerFileWholeInsteadOfWritingOverItsStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshot.zip");
        Files.write(file, new byte[1_000_000]);
        String url = sandbox.rootUrl() + "/sandbox/demo-mrns";

        long size = api.download(url, file);

        byte[] body = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(size).isEqualTo(body.length).isLessThan(1_000_000);
        assertThat(Files.readAllBytes(file)).isEqualTo(body);
        assertThat(dir.resolve("snapshot.zip.part")).doesNotExist();
    }

    @Test
    void aFailedDownloadLeavesTheOldFileAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshot.zip");
        Files.writeString(file, "the previous archive");

        assertThatThrownBy(() -> api.download(sandbox.rootUrl() + "/sandbox/no-such-endpoint", file))
                .isInstanceOf(ApiClient.ApiException.class);

        assertThat(Files.readString(file)).isEqualTo("the previous archive");
        assertThat(dir.resolve("snapshot.zip.part")).doesNotExist();
    }
}
