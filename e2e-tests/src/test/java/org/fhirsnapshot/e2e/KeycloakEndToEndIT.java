package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.infra.KeycloakServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.IdentityProvider;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.LocalTokens;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's end-to-end run with Keycloak: the whole stack in {@link IdentityProvider#KEYCLOAK} mode (a real Keycloak
 * from Maven Central, started once for the class), driven by Keycloak's own users with password-grant tokens. The
 * admin sets up project {@value #PROJECT} (FHIR system, mapping, MRNs, a full-sync); the stack gives the project a
 * Keycloak user per role, who then gets what the role allows, no more. The fetch itself needs the services' calls on each other (sync-service →
 * mrn-service reconcile, fetch-worker → mrn-service claim, → config-service settings), which carry the services'
 * client-credentials tokens from Keycloak: the stack has no local key at all.
 */
class KeycloakEndToEndIT {

    private static final String PROJECT = "kc";
    private static final String OTHER_PROJECT = "kc-other";
    private static final int MRNS = 6;
    private static final List<String> MAPPINGS = List.of("demographics", "vital-signs");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path work;
    private static ConsoleCapture jvmConsole;
    private static LocalStack stack;
    private static KeycloakServer keycloak;
    private static JsonNode fullSync;
    private static long classStart;

    @BeforeAll
    static void startStackAndSyncAProjectAsKeycloakAdmin() throws Exception {
        classStart = System.nanoTime();
        work = Files.createTempDirectory("fhir-snapshot-e2e-keycloak");
        jvmConsole = ConsoleCapture.start(work);
        // Pinned builds, as every IT: a module rebuilt meanwhile does not pull the jars from under the run.
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                Map.of(), true).withIdentityProvider(IdentityProvider.KEYCLOAK),
                (part, endpoint) -> System.out.printf("e2e-keycloak: %s ready at %s%n", part, endpoint));
        keycloak = stack.keycloak();
        System.out.printf("e2e-keycloak: stack with Keycloak up in %.1f s%n", seconds(classStart));

        ApiClient admin = ApiClient.withToken(keycloak.passwordToken("admin"));
        SandboxCohort cohort = stack.sandbox().cohort();
        long systemId = admin.post(url(Service.CONFIG, "/api/fhir-systems"), Map.of("name", "sandbox", "baseUrl",
                stack.sandbox().baseUrl(), "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM, "auth",
                Map.of("type", "none"), "limits", SnapshotJob.SANDBOX_LIMITS)).path("id").asLong();
        for (String key : List.of(PROJECT, OTHER_PROJECT)) {
            admin.post(url(Service.CONFIG, "/api/projects"), Map.of("key", key, "name", "Keycloak " + key,
                    "fhirSystemId", systemId, "enabled", true));
        }
        for (String mapping : MAPPINGS) {
            admin.post(url(Service.CONFIG, "/api/projects/" + PROJECT + "/mappings"), Map.of("name", mapping, "type",
                    "predefined", "spec", mapping));
        }
        admin.postText(url(Service.MRN, "/api/projects/" + PROJECT + "/mrns"),
                String.join("\n", cohort.demoMrns().subList(0, MRNS)));
        // The stack gives each new project a Keycloak user per role within seconds.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> !login("kc-manager").isEmpty());
        // A full-sync: sync-service asks config-service for the mappings and mrn-service to reconcile (internal APIs).
        long taskId = admin.post(url(Service.SYNC, "/api/projects/" + PROJECT + "/tasks"),
                Map.of("type", "full-sync")).path("id").asLong();
        String taskUrl = url(Service.SYNC, "/api/projects/" + PROJECT + "/tasks/" + taskId);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("completed", "failed").contains(admin.get(taskUrl).path("status").asText()));
        fullSync = admin.get(taskUrl);
        String summaryUrl = url(Service.MRN, "/api/projects/" + PROJECT + "/summary");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode instances = admin.get(summaryUrl).path("instances");
            return instances.path("completed").asLong() + instances.path("failed").asLong() == (long) MRNS
                    * MAPPINGS.size();
        });
        System.out.printf("e2e-keycloak: project %s synced %.1f s after the start%n", PROJECT, seconds(classStart));
    }

    @AfterAll
    static void stopStack() {
        List<Path> keycloakLog = stack != null && keycloak != null ? List.of(keycloak.logFile()) : List.of();
        // No PHI (nor a token) in any log, Keycloak's included.
        PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, keycloakLog);
        System.out.printf("e2e-keycloak: whole class in %.1f s%n", seconds(classStart));
    }

    @Test
    void servicesCalledEachOtherWithKeycloakClientCredentialsTokens() {
        assertThat(fullSync.path("status").asText()).as("the full-sync task").isEqualTo("completed");
        JsonNode instances = ApiClient.withToken(keycloak.passwordToken("admin"))
                .get(url(Service.MRN, "/api/projects/" + PROJECT + "/summary")).path("instances");
        // Completed instances were claimed by fetch-worker from mrn-service's internal API, with a service token.
        assertThat(instances.path("completed").asLong()).isPositive();
        // ... which could only come from Keycloak: the stack made no local key.
        assertThat(LocalTokens.existing(stack.dataDirectory())).isEmpty();
        assertThat(stack.dataDirectory().resolve(LocalTokenIssuer.KEY_FILE)).doesNotExist();
    }

    @Test
    void readerSeesTheSummaryButMayNotDownloadTheArchive() {
        String reader = login("kc-reader");

        JsonNode summary = ApiClient.withToken(reader).get(url(Service.MRN, "/api/projects/" + PROJECT + "/summary"));
        assertThat(summary.path("mrns").asLong()).isEqualTo(MRNS);
        assertThat(status("GET", url(Service.ARCHIVE, "/api/projects/" + PROJECT + "/archive"), reader))
                .isEqualTo(403);
    }

    @Test
    void exporterDownloadsTheArchive() throws IOException {
        Path zip = work.resolve("kc.zip");

        ApiClient.withToken(login("kc-exporter"))
                .download(url(Service.ARCHIVE, "/api/projects/" + PROJECT + "/archive"), zip);

        try (ZipFile archive = new ZipFile(zip.toFile())) {
            List<String> names = Collections.list(archive.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("manifest.json").hasSizeGreaterThan(2);
        }
    }

    @Test
    void managerOfOneProjectLearnsNothingOfAnother() {
        String manager = login("kc-manager");
        ApiClient asManager = ApiClient.withToken(manager);

        // The MRN list is PHI: a manager's, and never part of an assertion message.
        assertThat(asManager.get(url(Service.MRN, "/api/projects/" + PROJECT + "/mrns")).path("items").size())
                .isEqualTo(MRNS);
        assertThat(status("GET", url(Service.MRN, "/api/projects/" + OTHER_PROJECT + "/summary"), manager))
                .isEqualTo(404);
        assertThat(status("GET", url(Service.CONFIG, "/api/projects/" + OTHER_PROJECT), manager)).isEqualTo(404);
        assertThat(asManager.get(url(Service.CONFIG, "/api/projects")).path("items")).extracting(p -> p.path("key")
                .asText()).containsExactly(PROJECT);
    }

    @Test
    void tokenSignedWithALocalKeyIsRefused() {
        LocalTokens foreignKey = LocalTokens.loadOrCreate(work.resolve("foreign-key"));

        assertThat(status("GET", url(Service.CONFIG, "/api/projects"), foreignKey.admin("intruder"))).isEqualTo(401);
        assertThat(status("GET", url(Service.CONFIG, "/api/projects"), null)).isEqualTo(401);
        assertThatThrownBy(() -> keycloak.passwordToken("kc-reader", "not-the-password"))
                .hasMessageContaining("invalid_grant");
    }

    @Test
    void keycloakAdminCannotCallAnInternalApi() {
        assertThat(status("POST", url(Service.MRN, "/internal/instances/claim"), keycloak.passwordToken("admin")))
                .isEqualTo(403);
    }

    /** A project user's token: the password grant, with the password the stack gives them (the user name). */
    private static String login(String user) {
        return keycloak.passwordToken(user, user);
    }

    private static String url(Service service, String path) {
        return stack.url(service) + path;
    }

    /** The status of a call with {@code token} (none when null); a POST sends {@code {}}. */
    private static int status(String method, String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, method.equals("GET")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
