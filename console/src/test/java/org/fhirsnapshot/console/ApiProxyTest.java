package org.fhirsnapshot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/**} through the console to the real config-, mrn- and sync-service (processes trusting the same
 * Keycloak), with the logged-in user's token.
 */
@QuarkusTest
@QuarkusTestResource(value = ConsoleKeycloakTestResource.class)
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = {
        @ResourceArg(name = "services", value = "config-service,mrn-service,sync-service"),
        @ResourceArg(name = "oidc", value = "org.fhirsnapshot.console.KeycloakServiceTrust")})
class ApiProxyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM = "application/problem+json";

    @Test
    void adminReachesConfigServiceWithTheirOwnToken() throws Exception {
        Browser admin = Browser.loggedInAs("admin");
        String key = newProject(admin);

        // The browser's own Authorization header is replaced by the session's token, not passed on.
        HttpResponse<String> project = admin.get("/api/projects/" + key, "Authorization", "Bearer not-a-token");

        assertThat(project.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(project.body()).path("key").asText()).isEqualTo(key);
        assertThat(admin.get("/api/fhir-systems").statusCode()).isEqualTo(200);
    }

    @Test
    void servicesRefusalOfALesserRolePassesUnchanged() throws Exception {
        String key = newProject(Browser.loggedInAs("admin"));
        ConsoleKeycloak.server().addProject(key);
        Browser reader = Browser.loggedInAs(key + "-reader");

        HttpResponse<String> systems = reader.get("/api/fhir-systems");
        assertThat(systems.statusCode()).isEqualTo(403);
        assertThat(systems.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith(PROBLEM));
        HttpResponse<String> mapping = reader.script("POST", "/api/projects/" + key + "/mappings", "application/json",
                "{\"name\":\"demographics\",\"type\":\"predefined\",\"spec\":\"demographics\"}");
        assertThat(mapping.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(mapping.body()).path("detail").asText()).doesNotContain("console");
        assertThat(reader.get("/api/projects/" + key + "/summary").statusCode()).isEqualTo(200);
    }

    @Test
    void changeWithoutTheScriptHeaderIsRefusedAndNotForwarded() throws Exception {
        Browser admin = Browser.loggedInAs("admin");
        String key = "csrf-" + UUID.randomUUID().toString().substring(0, 8);

        HttpResponse<String> response = admin.send(HttpRequest
                .newBuilder(URI.create(ConsoleKeycloak.consoleUrl() + "/api/projects"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(projectJson(
                        key, systemId(admin))))
                .build());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PROBLEM);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).contains("X-Requested-With: JavaScript");
        assertThat(admin.get("/api/projects/" + key).statusCode()).isEqualTo(404);
    }

    @Test
    void changeFromAnotherOriginIsRefused() throws Exception {
        Browser admin = Browser.loggedInAs("admin");
        String key = "origin-" + UUID.randomUUID().toString().substring(0, 8);

        HttpResponse<String> response = admin.send(HttpRequest
                .newBuilder(URI.create(ConsoleKeycloak.consoleUrl() + "/api/projects"))
                .header("Content-Type", "application/json").header("X-Requested-With", "JavaScript")
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(projectJson(
                        key, systemId(admin))))
                .build());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).contains("Origin");
        assertThat(admin.get("/api/projects/" + key).statusCode()).isEqualTo(404);
    }

    @Test
    void pathsThatAreNotInNormalFormAreRefused() throws Exception {
        Browser admin = Browser.loggedInAs("admin");

        for (String path : List.of("/api/projects/../../internal/projects", "/api/projects/%2e%2e/summary",
                "/api/projects/a%2Fb/summary", "/api//projects", "/api/projects/x%00/summary",
                "/api/projects/%0d%0a/summary", "/q/health/../../api/fhir-systems")) {
            HttpResponse<String> response = admin.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue(PROBLEM);
            assertThat(JSON.readTree(response.body()).path("detail").asText()).as(path).startsWith("The address");
        }
    }

    @Test
    void addressesOutsideTheRouteTableAreNotForwarded() throws Exception {
        Browser admin = Browser.loggedInAs("admin");

        for (String path : List.of("/api/internal/projects/x/mappings", "/api/q/health", "/api/projects/x/unknown",
                "/api/", "/api", "/internal/projects/x/mappings")) {
            HttpResponse<String> response = admin.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue(PROBLEM);
            assertThat(JSON.readTree(response.body()).path("detail").asText()).as(path)
                    .contains("The console forwards only");
        }
    }

    @Test
    void unreachableServiceIsABadGatewayProblem() throws Exception {
        HttpResponse<String> response = Browser.loggedInAs("admin").get("/api/projects/any/archive");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PROBLEM);
        assertThat(JSON.readTree(response.body()).path("status").asInt()).isEqualTo(502);
    }

    @Test
    void jsonAnswersAreCompressedWhenTheBrowserAcceptsIt() {
        HttpResponse<String> response = Browser.loggedInAs("admin").get("/api/fhir-systems", "Accept-Encoding",
                "gzip");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void instanceEventsStreamThroughTheProxyAsTheyHappen() throws Exception {
        Browser admin = Browser.loggedInAs("admin");
        String key = newProject(admin);
        assertThat(admin.script("POST", "/api/projects/" + key + "/mappings", "application/json",
                "{\"name\":\"demographics\",\"type\":\"predefined\",\"spec\":\"demographics\"}").statusCode())
                .isEqualTo(201);
        assertThat(admin.script("POST", "/api/projects/" + key + "/mrns", "text/plain", "700001\n700002\n")
                .statusCode()).isEqualTo(200);
        // A full sync through sync-service: it reconciles with mrn-service, creating pending instances (not evented).
        assertThat(admin.script("POST", "/api/projects/" + key + "/tasks", "application/json",
                "{\"type\":\"full-sync\"}").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> JSON
                .readTree(admin.get("/api/projects/" + key + "/summary").body()).path("instances").path("pending")
                .asInt() == 2);

        HttpResponse<InputStream> stream = admin.stream(HttpRequest
                .newBuilder(URI.create(ConsoleKeycloak.consoleUrl() + "/api/projects/" + key + "/events"))
                .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip").GET().build());
        // The console sends the head at once (the EventSource opens) although no event has come yet.
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(stream.headers().firstValue("Content-Encoding").orElse("identity")).isEqualTo("identity");
        Queue<String> lines = new ConcurrentLinkedQueue<>();
        Thread reader = new Thread(() -> readLines(stream.body(), lines), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(admin.script("DELETE", "/api/projects/" + key + "/mrns/700001", null, null).statusCode())
                    .isEqualTo(204);

            await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream()
                    .anyMatch(line -> line.startsWith("data:") && line.contains("\"deleted\"")));
        } finally {
            stream.body().close();
        }
    }

    private static void readLines(InputStream body, Queue<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // The test closed the stream.
        }
    }

    /** A new project of a new FHIR system, created through the console; its key. */
    private static String newProject(Browser admin) {
        String key = "proxy-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = admin.script("POST", "/api/projects", "application/json",
                projectJson(key, systemId(admin)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return key;
    }

    private static long systemId(Browser admin) {
        HttpResponse<String> created = admin.script("POST", "/api/fhir-systems", "application/json",
                "{\"name\":\"sys-" + UUID.randomUUID().toString().substring(0, 8)
                        + "\",\"baseUrl\":\"http://127.0.0.1:1/fhir\",\"auth\":{\"type\":\"none\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        try {
            return JSON.readTree(created.body()).path("id").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String projectJson(String key, long systemId) {
        return "{\"key\":\"" + key + "\",\"name\":\"Console " + key + "\",\"fhirSystemId\":" + systemId
                + ",\"enabled\":true}";
    }
}
