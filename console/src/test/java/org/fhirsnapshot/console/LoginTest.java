package org.fhirsnapshot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** The console's login: Keycloak's code flow, a server-side session, refresh and logout. */
@QuarkusTest
@QuarkusTestResource(value = ConsoleKeycloakTestResource.class)
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = {
        @ResourceArg(name = "services", value = "config-service,mrn-service,sync-service"),
        @ResourceArg(name = "oidc", value = "org.fhirsnapshot.console.KeycloakServiceTrust")})
class LoginTest {

    /** Three base64url parts joined by dots: what a JWT (or a JWE's compact form, with five) looks like. */
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anonymousPageVisitIsSentToTheProviderWithPkce() {
        HttpResponse<String> response = new Browser().get("/");

        assertThat(response.statusCode()).isEqualTo(302);
        String location = Browser.location(response);
        assertThat(location).startsWith(ConsoleKeycloak.server().issuerUrl() + "/protocol/openid-connect/auth?")
                .contains("client_id=fhir-snapshot-console").contains("code_challenge_method=S256")
                .contains("code_challenge=").contains("response_type=code");
    }

    @Test
    void anonymousScriptCallGets499InsteadOfARedirect() {
        HttpResponse<String> response = new Browser().get("/api/projects", "X-Requested-With", "JavaScript");

        assertThat(response.statusCode()).isEqualTo(499);
        assertThat(response.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void adminSeesWhoIsLoggedIn() throws Exception {
        JsonNode me = JSON.readTree(Browser.loggedInAs("admin").get("/console/me").body());

        assertThat(me.path("name").asText()).isEqualTo("admin");
        assertThat(me.path("admin").asBoolean()).isTrue();
        assertThat(me.path("groups").toString()).isEqualTo("[\"admin\"]");
        assertThat(me.path("projects").size()).isZero();
    }

    @Test
    void projectUserSeesTheirRoleInTheirProject() throws Exception {
        String key = "login-" + UUID.randomUUID().toString().substring(0, 8);
        ConsoleKeycloak.server().addProject(key);

        HttpResponse<String> response = Browser.loggedInAs(key + "-exporter").get("/console/me");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode me = JSON.readTree(response.body());
        assertThat(me.path("name").asText()).isEqualTo(key + "-exporter");
        assertThat(me.path("admin").asBoolean()).isFalse();
        assertThat(me.path("groups").toString()).isEqualTo("[\"project:" + key + ":exporter\"]");
        assertThat(me.path("projects").path(key).asText()).isEqualTo("exporter");
    }

    @Test
    void browserHoldsNoTokenOnlyAShortRandomSessionId() {
        Browser browser = Browser.loggedInAs("admin");
        HttpResponse<String> me = browser.get("/console/me");

        List<String> setCookies = browser.consoleSetCookies();
        assertThat(setCookies).anyMatch(cookie -> cookie.startsWith("q_session="));
        // No cookie of the console carries a token, encrypted or not. (The q_auth_ state cookie of the login itself
        // holds quarkus-oidc's encrypted PKCE verifier and the page to return to, and is deleted at the callback.)
        assertThat(setCookies).filteredOn(cookie -> !cookie.startsWith("q_auth_"))
                .noneMatch(cookie -> JWT.matcher(cookie).find());
        assertThat(setCookies).filteredOn(cookie -> cookie.startsWith("q_auth_")).anyMatch(
                cookie -> cookie.contains("Max-Age=0"));
        String session = browser.sessionCookie();
        assertThat(session).hasSizeLessThanOrEqualTo(64).doesNotContain(".").matches("[A-Za-z0-9_-]{43}");
        assertThat(me.body()).doesNotContain("eyJ");
    }

    @Test
    void pageIsNeverCachedAndTheFrameworkModulesAreServed() {
        Browser browser = Browser.loggedInAs("admin");

        HttpResponse<String> page = browser.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        for (String module : List.of("preact", "hooks", "htm")) {
            HttpResponse<String> vendor = browser.get("/vendor/" + module + ".mjs");
            assertThat(vendor.statusCode()).as(module).isEqualTo(200);
            assertThat(vendor.body()).as(module).contains("export");
        }
    }

    @Test
    void logoutEndsTheSessionOnTheServerAndAtTheProvider() {
        Browser browser = Browser.loggedInAs("admin");
        String session = browser.sessionCookie();

        HttpResponse<String> logout = browser.get("/logout");

        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(Browser.location(logout))
                .startsWith(ConsoleKeycloak.server().issuerUrl() + "/protocol/openid-connect/logout");
        // The old session id no longer opens anything, even when a browser (or a thief) still sends it.
        HttpResponse<String> after = withOnlySessionCookie(session, "/api/projects");
        assertThat(after.statusCode()).as("%s %s", after.headers().map(), after.body()).isEqualTo(499);
    }

    @Test
    void expiringTokensAreRefreshedOnTheServerUnderANewSessionId() {
        Browser browser = Browser.loggedInAs("admin");
        String first = browser.sessionCookie();

        // Access tokens live 75 s and are refreshed in their last minute: within about 15 s of the login.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            HttpResponse<String> response = browser.get("/api/projects", "X-Requested-With", "JavaScript");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(browser.sessionCookie()).isNotEqualTo(first);
        });
        // A call already under way with the replaced id still works for a short grace period.
        assertThat(withOnlySessionCookie(first, "/api/projects").statusCode()).isEqualTo(200);
        assertThat(browser.get("/console/me").statusCode()).isEqualTo(200);
    }

    @Test
    void healthIsOpenWithoutALogin() {
        HttpResponse<String> ready = new Browser().get("/q/health/ready");

        assertThat(ready.statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> withOnlySessionCookie(String session, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(URI.create(ConsoleKeycloak.consoleUrl() + path))
                    .header("Cookie", "q_session=" + session)
                    .header("X-Requested-With", "JavaScript").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
