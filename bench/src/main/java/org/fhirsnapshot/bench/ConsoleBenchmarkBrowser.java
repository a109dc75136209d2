package org.fhirsnapshot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.SelectOption;
import com.microsoft.playwright.options.WaitUntilState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The browser side of {@link ConsoleBenchmark}: Debian's Chromium, headless, driven by Playwright for Java (which
 * never downloads a browser here), logged in through Keycloak's form as the realm's {@code admin}. Each measurement
 * starts with a cross-document navigation, so that {@code performance.now()} in the page counts from its navigation
 * start. Every call runs on the caller's thread (Playwright for Java is single-threaded).
 */
final class ConsoleBenchmarkBrowser implements AutoCloseable {

    /** The system property that names the Chromium binary. */
    static final String CHROMIUM_PROPERTY = "console-benchmark.chromium";
    /** Debian's real binary: {@code /usr/bin/chromium} is a shell wrapper around it. */
    static final String DEFAULT_CHROMIUM = "/usr/lib/chromium/chromium";
    private static final String USER = "admin";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What {@code /console/me} says of an admin. */
    private static final Pattern ADMIN_ME = Pattern.compile("\"admin\"\\s*:\\s*true");
    /**
     * Installed in every document: the moment the grid's first cell enters the DOM, and the moment after the next
     * frame (a requestAnimationFrame callback runs just before a paint; a task queued from it, just after).
     */
    private static final String FIRST_CELL_PROBE = """
            (() => {
              const seen = () => {
                if (!document.querySelector('table.grid td.cell')) return false;
                window.__cellDom = performance.now();
                requestAnimationFrame(() => setTimeout(() => { window.__cellPainted = performance.now(); }, 0));
                return true;
              };
              const observer = new MutationObserver(() => { if (seen()) observer.disconnect(); });
              observer.observe(document, { childList: true, subtree: true });
            })();
            """;
    /** Where the first page of the grid came from: the {@code /mrns} request's start and end, from navigation start. */
    private static final String GRID_REQUEST_TIMING = """
            () => {
              const e = performance.getEntriesByType('resource').find((r) => new URL(r.name).pathname.endsWith('/mrns'));
              return { dom: window.__cellDom, painted: window.__cellPainted,
                mrnsStart: e ? e.startTime : -1, mrnsEnd: e ? e.responseEnd : -1 };
            }
            """;
    private static final String GRID_SETTLED = "() => document.querySelector('table.grid')"
            + "?.getAttribute('aria-busy') === 'false'";

    /** One visit of the Resources page with its three interactions, in milliseconds. */
    record Visit(double firstRowPainted, double firstRowDom, double firstRowWall, double gridRequestStart,
            double gridRequestDuration, double statusFilter, double statusFilterRequest, long failedMrns,
            double search, double searchRequest, long staticBytesTransferred) {
    }

    /** One static response of a first visit: its path, kind, bytes on the wire (body) and decoded, encoding. */
    record StaticFile(String path, String kind, long transferred, long decoded, String encoding) {
    }

    private final Playwright playwright;
    private final Browser browser;
    private final String console;
    private final String project;
    private final String mrnFormat;
    private final int mrnCount;

    private ConsoleBenchmarkBrowser(Playwright playwright, Browser browser, String console, String project,
            String mrnFormat, int mrnCount) {
        this.playwright = playwright;
        this.browser = browser;
        this.console = console;
        this.project = project;
        this.mrnFormat = mrnFormat;
        this.mrnCount = mrnCount;
    }

    /** Starts Chromium for the console at {@code consoleUrl} (no trailing slash). */
    static ConsoleBenchmarkBrowser launch(String consoleUrl, String project, String mrnFormat, int mrnCount) {
        Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of(
                "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(System.getProperty(CHROMIUM_PROPERTY, DEFAULT_CHROMIUM)))
                    .setHeadless(true));
            return new ConsoleBenchmarkBrowser(playwright, browser, consoleUrl, project, mrnFormat, mrnCount);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    String chromiumVersion() {
        return browser.version();
    }

    /** {@code runs} visits, each in a new browser context: an empty cache, a login of its own. */
    List<Visit> coldVisits(int runs) {
        List<Visit> visits = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            try (BrowserContext context = newContext()) {
                Page page = loggedIn(context);
                visits.add(visit(page, run));
            }
        }
        return visits;
    }

    /** {@code runs} visits in one context whose cache one untimed visit filled first. */
    List<Visit> warmVisits(int runs) {
        List<Visit> visits = new ArrayList<>();
        try (BrowserContext context = newContext()) {
            Page page = loggedIn(context);
            page.navigate(resourcesUrl());
            page.locator("table.grid td.cell").first().waitFor();
            for (int run = 0; run < runs; run++) {
                // A new document each time: a hash change alone would be a same-document navigation.
                page.navigate("about:blank");
                visits.add(visit(page, runs + run));
            }
        }
        return visits;
    }

    /** The static responses of a first visit (empty cache) of a project page: setup, resources or tasks. */
    List<StaticFile> firstVisit(String projectPage) {
        try (BrowserContext context = newContext()) {
            Page page = loggedIn(context);
            List<Request> finished = new ArrayList<>();
            page.onRequestFinished(finished::add);
            page.navigate(console + "/#/projects/" + project + "/" + projectPage);
            // The page's module (loaded on demand) and its imports are in once its h1 shows.
            page.locator("main h1").first().waitFor();
            if (projectPage.equals("resources")) {
                page.locator("table.grid td.cell").first().waitFor();
            }
            // Anything requested late (none is expected: every import is static below the page module).
            page.waitForTimeout(1000);
            return finished.stream().filter(this::isStatic).map(ConsoleBenchmarkBrowser::staticFile).toList();
        }
    }

    private Visit visit(Page page, int run) {
        List<Request> finished = new ArrayList<>();
        Consumer<Request> listener = finished::add;
        page.onRequestFinished(listener);
        long start = System.nanoTime();
        page.navigate(resourcesUrl(), new Page.NavigateOptions().setWaitUntil(WaitUntilState.COMMIT));
        page.locator("table.grid td.cell").first().waitFor();
        double wall = millisSince(start);
        page.waitForFunction("() => window.__cellPainted !== undefined");
        @SuppressWarnings("unchecked")
        Map<String, Object> timing = (Map<String, Object>) page.evaluate(GRID_REQUEST_TIMING);
        // A response from the cache reports a negative body size (nothing crossed the wire).
        long staticBytes = finished.stream().filter(this::isStatic).mapToLong(r -> Math.max(0,
                r.sizes().responseBodySize)).sum();

        start = System.nanoTime();
        Response filtered = page.waitForResponse(gridRequest("status=failed"),
                () -> page.selectOption("#f-status", "failed"));
        page.waitForFunction(GRID_SETTLED);
        double filter = millisSince(start);
        long failedMrns = total(filtered);

        page.waitForResponse(gridRequest("").and(r -> !r.url().contains("status=")),
                () -> page.selectOption("#f-status", new SelectOption().setLabel("any")));
        page.waitForFunction(GRID_SETTLED);

        // A different prefix each run (100 MRNs each at 100,000): no answer comes from a cache.
        String prefix = String.format(mrnFormat, (12_300 + 11_100L * run) % mrnCount).substring(0, 10);
        start = System.nanoTime();
        Response searched = page.waitForResponse(gridRequest("mrn=" + prefix), () -> page.fill("#f-mrn", prefix));
        page.waitForFunction(GRID_SETTLED);
        double search = millisSince(start);
        String firstMrn = page.locator("table.grid tbody th").first().textContent().trim();
        if (!firstMrn.startsWith(prefix)) {
            throw new IllegalStateException("the search for a prefix showed another MRN first");
        }
        page.offRequestFinished(listener);
        return new Visit(number(timing.get("painted")), number(timing.get("dom")), wall,
                number(timing.get("mrnsStart")), number(timing.get("mrnsEnd")) - number(timing.get("mrnsStart")),
                filter, requestMillis(filtered), failedMrns, search, requestMillis(searched), staticBytes);
    }

    private BrowserContext newContext() {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800));
        context.setDefaultTimeout(120_000);
        context.addInitScript(FIRST_CELL_PROBE);
        return context;
    }

    /**
     * Logs in through Keycloak's form, starting from {@code /console/me} (a JSON answer, no page): so the login
     * itself loads none of the front end, and the cache is still empty after it. Emptied anyway, to be sure.
     */
    private Page loggedIn(BrowserContext context) {
        Page page = context.newPage();
        page.navigate(console + "/console/me");
        page.locator("#username").fill(USER);
        page.locator("#password").fill(USER);
        page.locator("#kc-login").click();
        page.waitForURL(url -> url.startsWith(console + "/") && !url.contains("code=") && !url.contains("state="));
        if (!ADMIN_ME.matcher(page.textContent("body")).find()) {
            throw new IllegalStateException("after the login, /console/me does not show an admin: " + page.url());
        }
        context.newCDPSession(page).send("Network.clearBrowserCache");
        return page;
    }

    private String resourcesUrl() {
        return console + "/#/projects/" + project + "/resources";
    }

    /** A response of the grid's {@code /mrns} request whose address contains {@code part}. */
    private static Predicate<Response> gridRequest(String part) {
        return response -> URI.create(response.url()).getPath().endsWith("/mrns") && response.url().contains(part);
    }

    /** Static: on the console's origin and neither an API, the console's own endpoints nor health. */
    private boolean isStatic(Request request) {
        if (!request.url().startsWith(console + "/") || request.response() == null) {
            return false;
        }
        String path = URI.create(request.url()).getPath();
        return !(path.startsWith("/api/") || path.startsWith("/console/") || path.startsWith("/q/")
                || path.equals("/logout"));
    }

    private static StaticFile staticFile(Request request) {
        Response response = request.response();
        String path = URI.create(request.url()).getPath();
        String encoding = response.headerValue("content-encoding");
        return new StaticFile(path, request.resourceType(), request.sizes().responseBodySize, response.body().length,
                encoding == null ? "none" : encoding);
    }

    private static long total(Response response) {
        try {
            return JSON.readTree(response.text()).path("total").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From the request's start to its response's last byte, as the browser saw it. */
    private static double requestMillis(Response response) {
        response.finished();
        return response.request().timing().responseEnd;
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static double millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e6;
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
