package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.RequestOptions;
import com.microsoft.playwright.options.SelectOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.IdentityProvider;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Issue 7's browser tests: the web console in Debian's headless Chromium, driven by Playwright (executablePath: it
 * never downloads a browser), on the whole stack with Keycloak and the console, as {@code ./fhir-snapshot up} runs it.
 * A data manager logs in through Keycloak's form, configures a project against the sandbox, adds MRNs, watches the
 * grid's cells turn completed without a reload, downloads a filtered archive and opens it, and runs Retry failed;
 * a reader sees the progress but no MRN. Each page passes axe-core without a serious violation. With
 * {@code -Dconsole.screenshots=DIR} each page is saved there as a PNG (docs/images holds the README's).
 */
class ConsoleBrowserIT {

    /** Where the browser is: Debian's {@code chromium} package (the real binary, not its shell wrapper). */
    private static final String CHROMIUM = System.getProperty("fhir-snapshot.chromium", "/usr/lib/chromium/chromium");
    /** axe-core, from the console's npm packages (installed by its build). */
    private static final Path AXE = Path.of("console/node_modules/axe-core/axe.min.js");
    private static final String PROJECT = "web";
    private static final String READ_ONLY_PROJECT = "web-ro";
    private static final int MRNS = 24;
    private static final double TIMEOUT_MS = 30_000;

    private static Path work;
    private static ConsoleCapture jvmConsole;
    private static LocalStack stack;
    private static Playwright playwright;
    private static Browser browser;
    private static List<String> demoMrns;

    private BrowserContext context;
    private Page page;

    /** On a failure, what the browser showed: a screenshot and the page's text under target/console-failures. */
    @RegisterExtension
    final TestWatcher failureEvidence = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext test, Throwable cause) {
            Path dir = Path.of("e2e-tests/target/console-failures");
            String name = test.getRequiredTestMethod().getName();
            try {
                Files.createDirectories(dir);
                page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name + ".png")).setFullPage(true));
                Files.writeString(dir.resolve(name + ".txt"), page.url() + "\n\n" + page.innerText("body"));
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
            context.close();
        }

        @Override
        public void testSuccessful(ExtensionContext test) {
            context.close();
        }

        @Override
        public void testAborted(ExtensionContext test, Throwable cause) {
            context.close();
        }
    };

    @BeforeAll
    static void startStackConsoleAndBrowser() throws IOException {
        work = Files.createTempDirectory("fhir-snapshot-e2e-console");
        jvmConsole = ConsoleCapture.start(work);
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                Map.of(), true).withIdentityProvider(IdentityProvider.KEYCLOAK),
                (part, endpoint) -> System.out.printf("e2e-console: %s ready at %s%n", part, endpoint));
        demoMrns = stack.sandbox().cohort().demoMrns();
        seedReadOnlyProject();
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Path.of(CHROMIUM))
                .setHeadless(true).setArgs(List.of("--no-sandbox")));
    }

    /** A synced project set up through the API, for the reader and the accessibility checks. */
    private static void seedReadOnlyProject() {
        ApiClient admin = stack.apiClient();
        long systemId = admin.post(url(Service.CONFIG, "/api/fhir-systems"), Map.of("name", "sandbox-api", "baseUrl",
                stack.sandbox().baseUrl(), "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM, "auth",
                Map.of("type", "none"), "limits", SnapshotJob.SANDBOX_LIMITS)).path("id").asLong();
        admin.post(url(Service.CONFIG, "/api/projects"), Map.of("key", READ_ONLY_PROJECT, "name", "Read only",
                "fhirSystemId", systemId, "enabled", true));
        admin.post(url(Service.CONFIG, "/api/projects/" + READ_ONLY_PROJECT + "/mappings"), Map.of("name",
                "vital-signs", "type", "predefined", "spec", "vital-signs"));
        admin.postText(url(Service.MRN, "/api/projects/" + READ_ONLY_PROJECT + "/mrns"),
                String.join("\n", demoMrns.subList(0, 6)));
        String summary = url(Service.MRN, "/api/projects/" + READ_ONLY_PROJECT + "/summary");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode instances = admin.get(summary).path("instances");
            return instances.path("completed").asLong() + instances.path("failed").asLong() == 6;
        });
    }

    @AfterAll
    static void stopEverything() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        List<Path> keycloakLog = stack != null && stack.keycloak() != null
                ? List.of(stack.keycloak().logFile())
                : List.of();
        // No PHI (nor a token) in any log: the console's (MRNs travel in the addresses it forwards) and Keycloak's.
        PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, keycloakLog);
    }

    @BeforeEach
    void newBrowserContext() {
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800)
                .setAcceptDownloads(true));
        context.setDefaultTimeout(TIMEOUT_MS);
        page = context.newPage();
    }

    @Test
    void dataManagerConfiguresFetchesWatchesDownloadsAndRetriesInTheBrowser() throws IOException {
        logIn("admin", "admin");
        page.navigate(stack.url(Service.CONSOLE) + "/#/setup");
        page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Projects").setLevel(1)).waitFor();

        // Setup: a FHIR system (the sandbox), its check, a project on it.
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).last().fill("sandbox");
        page.getByLabel("Base URL").fill(stack.sandbox().baseUrl());
        page.getByLabel("Patient identifier system (MRN)").fill(SandboxCohort.MRN_SYSTEM);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create FHIR system")).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Check sandbox").setExact(true)).click();
        page.locator(".check-result").getByText("✓ yes").first().waitFor();
        page.getByLabel("Key").fill(PROJECT);
        page.locator("#np-name").fill("Web project");
        page.getByLabel("FHIR system", new Page.GetByLabelOptions().setExact(true))
                .selectOption(new SelectOption()
                        .setLabel("sandbox (" + stack.sandbox().baseUrl() + ")"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create project")).click();

        // Mappings: one from the catalog, one custom search validated as it is typed.
        page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(Pattern.compile("Setup: Web project")))
                .waitFor();
        Locator mappings = page.locator("section[aria-labelledby=map-h]");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add Vital signs")).click();
        mappings.getByRole(AriaRole.ROWHEADER, new Locator.GetByRoleOptions().setName("Vital signs")).waitFor();
        page.locator("#custom-name").fill("Problems");
        page.locator("#custom-spec").fill("Observatio?foo");
        page.locator("#custom-spec-note.invalid").waitFor();
        assertThat(page.locator("#custom-spec").getAttribute("aria-invalid")).isEqualTo("true");
        page.locator("#custom-spec").fill("Condition?category=problem-list-item");
        page.locator("#custom-spec-note.valid").waitFor();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add custom search")).click();
        mappings.getByRole(AriaRole.ROWHEADER, new Locator.GetByRoleOptions().setName("Problems")).waitFor();
        screenshot("console-setup");

        // Resources: MRNs pasted with two bad lines, reported back.
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Resources")).click();
        page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Resources").setLevel(1)).waitFor();
        page.evaluate("() => { window.__noReload = 1; }");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add MRNs")).click();
        Locator modal = page.getByRole(AriaRole.DIALOG);
        modal.getByLabel("MRNs, one a line").fill(String.join("\n", demoMrns.subList(0, MRNS))
                + "\nnot an mrn\n" + "x".repeat(300) + "\n");
        modal.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add MRNs")).click();
        modal.getByText("rejected.").waitFor();
        assertThat(modal.locator(".dialog-body").innerText()).contains(MRNS + " added").contains("2 rejected");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Done")).click();

        // Live: every cell ends completed or failed from the event stream, without a reload of the page.
        page.getByRole(AriaRole.ROWHEADER, new Page.GetByRoleOptions().setName(demoMrns.get(0))).waitFor();
        page.waitForFunction("() => { const cells = [...document.querySelectorAll('td.cell')];"
                + " return cells.length > 0 && cells.every(c => c.classList.contains('s-completed')"
                + " || c.classList.contains('s-failed')); }", null,
                new Page.WaitForFunctionOptions().setTimeout(180_000));
        assertThat(page.evaluate("() => window.__noReload")).as("the page was not reloaded").isEqualTo(1);
        assertThat(page.locator("td.cell").count()).isEqualTo(MRNS * 2);
        assertThat(page.locator("td.cell.s-completed").count()).isPositive();
        // ... and the summary's progress bar follows.
        page.getByText(MRNS * 2 + " / " + MRNS * 2 + " (100 %)").waitFor();
        screenshot("console-resources");

        // The download dialog: one mapping, NDJSON, Observations only; the ZIP streams to the browser and opens.
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Download").setExact(true)).click();
        modal.getByLabel("Vital signs").check();
        modal.getByLabel(Pattern.compile("NDJSON")).check();
        modal.getByLabel("FHIR resource types (e.g. Observation, Condition)").fill("Observation");
        screenshot("console-download");
        Download download = page.waitForDownload(() -> page.getByRole(AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Download ZIP")).click());
        Path zip = work.resolve("console.zip");
        download.saveAs(zip);
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            List<String> names = Collections.list(archive.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("manifest.json", "manifest.sha256");
            assertThat(names).filteredOn(name -> name.endsWith(".ndjson")).isNotEmpty();
            assertThat(new String(archive.getInputStream(archive.getEntry("manifest.json")).readAllBytes()))
                    .contains("ndjson").contains("Observation");
        }
        page.keyboard().press("Escape");
        // A resumed download through the console: the Range request reaches archive-service, its 206 comes back.
        APIResponse part = page.request().get(stack.url(Service.CONSOLE) + "/api/projects/" + PROJECT + "/archive",
                RequestOptions.create().setHeader("Range", "bytes=0-99"));
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.headers().get("content-range")).startsWith("bytes 0-99/");
        assertThat(part.body()).hasSize(100);
        // What the browser holds of the console (quarkus-oidc's q_ cookies): a session id, never a token (a JWT
        // starts "eyJ"). Keycloak's own cookies (its path, its session) are not the console's to judge.
        List<Cookie> sessionCookies = context.cookies().stream().filter(cookie -> cookie.name.startsWith("q_"))
                .toList();
        assertThat(sessionCookies).extracting(cookie -> cookie.name).contains("q_session");
        for (Cookie cookie : sessionCookies) {
            assertThat(cookie.value.contains("eyJ") || cookie.value.length() > 64).as(cookie.name + " holds a token")
                    .isFalse();
        }

        // Tasks: Retry failed runs to its end; its report opens.
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Tasks")).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Retry failed")).click();
        page.getByText(Pattern.compile("Retry failed: task \\d+ is")).waitFor();
        page.waitForFunction("() => { const s = [...document.querySelectorAll('.ts')];"
                + " return s.length > 0 && !s.some(e => /pending|running/.test(e.textContent)); }", null,
                new Page.WaitForFunctionOptions().setTimeout(120_000));
        assertThat(page.locator(".ts").first().innerText()).isEqualTo("completed");
        screenshot("console-tasks");
        page.getByRole(AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName(Pattern.compile("^Open task .*retry-failed")))
                .first().click();
        page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Log")).waitFor();
        assertThat(page.evaluate("() => window.__noReload")).as("the console never reloaded the page").isEqualTo(1);
    }

    @Test
    void readerSeesProgressButNoMrnAndNoControls() {
        String reader = READ_ONLY_PROJECT + "-reader";
        // The stack gives each new project a Keycloak user per role within seconds.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> !stack.keycloak().passwordToken(reader, reader).isEmpty());
        logIn(reader, reader);

        page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Resources").setLevel(1)).waitFor();
        page.getByText("Live updates: on").waitFor();
        String content = page.content();
        assertThat(demoMrns.subList(0, 6)).as("MRNs in the reader's page").noneMatch(content::contains);
        for (String control : List.of("Add MRNs", "Full sync", "Retry failed")) {
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(control)).count())
                    .as(control).isZero();
        }
    }

    @Test
    void everyPageHasNoSeriousAccessibilityViolationAtBothWidths() {
        logIn("admin", "admin");
        // Each page once its data is shown (its h1, then what it loads).
        Map<String, String> loaded = Map.of("setup", "section[aria-labelledby=map-h] th[scope=row]", "resources",
                "td.cell", "tasks", "h2#tasks-h");
        for (String view : List.of("setup", "resources", "tasks")) {
            page.navigate(stack.url(Service.CONSOLE) + "/#/projects/" + READ_ONLY_PROJECT + "/" + view);
            page.locator(loaded.get(view)).first().waitFor();
            assertThat(seriousViolations()).as("axe-core on " + view).isEmpty();
        }
        page.setViewportSize(390, 800);
        page.navigate(stack.url(Service.CONSOLE) + "/#/projects/" + READ_ONLY_PROJECT + "/resources");
        page.locator("td.cell").first().waitFor();
        assertThat(seriousViolations()).as("axe-core on the narrow Resources page").isEmpty();
        // The page does not scroll sideways: the grid scrolls inside its box.
        assertThat((Integer) page.evaluate("() => document.documentElement.scrollWidth")).isLessThanOrEqualTo(390);
        screenshot("console-resources-narrow");
    }

    /** Keycloak's login form, reached by opening the console. */
    private void logIn(String user, String password) {
        page.navigate(stack.url(Service.CONSOLE) + "/");
        page.locator("#username").fill(user);
        page.locator("#password").fill(password);
        page.locator("#kc-login").click();
        page.locator("main h1").waitFor();
    }

    /** axe-core's violations of impact serious or critical, as "id: help (n nodes)". */
    private List<String> seriousViolations() {
        page.addScriptTag(new Page.AddScriptTagOptions().setPath(AXE));
        @SuppressWarnings("unchecked")
        List<String> violations = (List<String>) page.evaluate("async () => (await axe.run(document,"
                + " { resultTypes: ['violations'] })).violations"
                + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ')')");
        return violations;
    }

    /** The page as a PNG under {@code -Dconsole.screenshots=DIR}, when set (docs/images for the README). */
    private void screenshot(String name) {
        String dir = System.getProperty("console.screenshots");
        if (dir != null && !dir.isBlank()) {
            page.evaluate("() => window.scrollTo(0, 0)");
            page.screenshot(new Page.ScreenshotOptions().setPath(Path.of(dir).resolve(name + ".png")));
        }
    }

    private static String url(Service service, String path) {
        return stack.url(service) + path;
    }
}
