package org.fhirsnapshot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.fhirsnapshot.bench.ConsoleBenchmarkBrowser.StaticFile;
import org.fhirsnapshot.bench.ConsoleBenchmarkBrowser.Visit;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.IdentityProvider;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.SandboxCohort;

/**
 * Issue 7's figures for the web console, measured in a real browser against the whole local stack: the time to the
 * first render of the Resources page for a project of N MRNs × 10 mappings (1,000,000 instances at N = 100,000),
 * the time a status filter and an MRN search take to show, and the bytes of front end a first visit of each page
 * ships.
 * <p>
 * The local stack runs with Keycloak and the console (pinned builds, any free ports, data in a temporary folder). The
 * benchmark seeds it through the public APIs as an admin: a FHIR system pointing at the stack's sandbox with limits
 * that keep fetching negligible (one request a second, one at a time: the instances stay pending, as in a project
 * just set up), a project, 10 predefined mappings, N MRNs; then waits until the summary counts all N × 10 instances.
 * Chromium (Debian's, headless, {@link ConsoleBenchmarkBrowser}) logs in through Keycloak's form as {@code admin}
 * and visits {@code #/projects/{key}/resources} {@code RUNS} times in a fresh context (empty cache) and {@code RUNS}
 * times in a warm one; each visit then filters by status {@code failed}, clears it, and searches an MRN prefix.
 * <p>
 * Figures go to stdout and to {@code bench/target/console-benchmark.md}, a chart to
 * {@code bench/target/console-benchmark.png}.
 * <p>
 * Usage: {@code bench/console-benchmark [MRNS] [RUNS]} (default 100000 5); Chromium's binary is
 * {@value ConsoleBenchmarkBrowser#DEFAULT_CHROMIUM} unless {@code -Dconsole-benchmark.chromium=PATH}.
 */
public final class ConsoleBenchmark {

    private static final String PROJECT = "console-bench";
    private static final String MRN_FORMAT = "BENCH%07d";
    private static final int MAPPINGS = 10;
    /** At most this many MRNs per request (api.md). */
    private static final int MRNS_PER_REQUEST = 100_000;
    private static final List<String> PAGES = List.of("setup", "resources", "tasks");

    private final int mrnCount;
    private final int runs;
    private final String loadAtStart = loadAverage();
    private String chromium;
    private Duration reconcile;
    private JsonNode summaryBefore;
    private JsonNode summaryAfter;
    private List<Visit> cold = List.of();
    private List<Visit> warm = List.of();
    private final Map<String, List<StaticFile>> firstVisits = new LinkedHashMap<>();

    private ConsoleBenchmark(int mrnCount, int runs) {
        this.mrnCount = mrnCount;
        this.runs = runs;
    }

    public static void main(String[] args) throws Exception {
        int mrns = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        new ConsoleBenchmark(mrns, runs).run();
        System.exit(0);
    }

    private void run() throws IOException {
        Path work = Files.createTempDirectory("fhir-snapshot-console-bench");
        Instant started = Instant.now();
        LocalStack stack = null;
        try {
            // Pinned builds, as the end-to-end tests: a module rebuilt meanwhile does not pull jars from under the run.
            stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                    Map.of(), true).withIdentityProvider(IdentityProvider.KEYCLOAK),
                    (part, endpoint) -> System.out.printf("%s ready at %s (%d s)%n", part, endpoint,
                            Duration.between(started, Instant.now()).toSeconds()));
            ApiClient admin = stack.apiClient();
            seed(stack, admin);
            summaryBefore = admin.get(stack.url(Service.MRN) + "/api/projects/" + PROJECT + "/summary");
            try (ConsoleBenchmarkBrowser browser = ConsoleBenchmarkBrowser.launch(stack.url(Service.CONSOLE), PROJECT,
                    MRN_FORMAT, mrnCount)) {
                chromium = browser.chromiumVersion();
                System.out.printf("Chromium %s: %d visits with an empty cache...%n", chromium, runs);
                cold = browser.coldVisits(runs);
                System.out.printf("%d visits with a warm cache...%n", runs);
                warm = browser.warmVisits(runs);
                for (String page : PAGES) {
                    firstVisits.put(page, browser.firstVisit(page));
                }
            }
            summaryAfter = admin.get(stack.url(Service.MRN) + "/api/projects/" + PROJECT + "/summary");
        } finally {
            if (stack != null) {
                stack.close();
            }
            deleteTree(work);
        }
        report();
    }

    // --- the data ------------------------------------------------------------------------------------------------

    private void seed(LocalStack stack, ApiClient admin) {
        String config = stack.url(Service.CONFIG);
        long systemId = admin.post(config + "/api/fhir-systems", Map.of("name", "console benchmark", "baseUrl",
                stack.sandbox().baseUrl(), "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM, "auth",
                Map.of("type", "none"), "limits", Map.of("maxConcurrency", 1, "requestsPerSecond", 1)))
                .path("id").asLong();
        admin.post(config + "/api/projects", Map.of("key", PROJECT, "name", "Console benchmark", "fhirSystemId",
                systemId, "enabled", true));
        List<Map<String, Object>> mappings = new ArrayList<>();
        for (JsonNode entry : admin.get(config + "/api/catalog/predefined")) {
            // Entries with parameters ({study}) need values: left out.
            if (mappings.size() < MAPPINGS && !entry.path("search").asText().contains("{")) {
                mappings.add(Map.of("name", entry.path("name").asText(), "type", "predefined", "spec",
                        entry.path("key").asText()));
            }
        }
        for (int i = 0; mappings.size() < MAPPINGS; i++) {
            mappings.add(Map.of("name", "Custom " + i, "type", "custom", "spec", "Observation?code=bench-" + i));
        }
        for (Map<String, Object> mapping : mappings) {
            admin.post(config + "/api/projects/" + PROJECT + "/mappings", mapping);
        }
        Instant called = Instant.now();
        for (int from = 0; from < mrnCount; from += MRNS_PER_REQUEST) {
            String text = IntStream.range(from, Math.min(mrnCount, from + MRNS_PER_REQUEST))
                    .mapToObj(i -> String.format(MRN_FORMAT, i)).collect(Collectors.joining("\n"));
            admin.postText(stack.url(Service.MRN) + "/api/projects/" + PROJECT + "/mrns", text);
        }
        long expected = (long) mrnCount * MAPPINGS;
        System.out.printf("%,d MRNs added to %d mappings; waiting for %,d instances...%n", mrnCount, MAPPINGS,
                expected);
        String summaryUrl = stack.url(Service.MRN) + "/api/projects/" + PROJECT + "/summary";
        Instant deadline = called.plus(Duration.ofMinutes(30));
        Instant nextPrint = Instant.now().plusSeconds(15);
        while (true) {
            long instances = active(admin.get(summaryUrl));
            if (instances >= expected) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(String.format("only %,d of %,d instances after 30 minutes", instances,
                        expected));
            }
            if (Instant.now().isAfter(nextPrint)) {
                System.out.printf("  %,d instances so far%n", instances);
                nextPrint = Instant.now().plusSeconds(15);
            }
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
        reconcile = Duration.between(called, Instant.now());
        System.out.printf("%,d instances %d s after the MRNs were posted%n", expected, reconcile.toSeconds());
    }

    /** Pending, fetching, completed and failed instances of a summary. */
    private static long active(JsonNode summary) {
        JsonNode i = summary.path("instances");
        return i.path("pending").asLong() + i.path("fetching").asLong() + i.path("completed").asLong()
                + i.path("failed").asLong();
    }

    // --- the report ----------------------------------------------------------------------------------------------

    private void report() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format("## The web console at %,d MRNs × %d mappings (issue 7)%n%n", mrnCount, MAPPINGS));
        md.append(String.format("`bench/console-benchmark %d %d`, %s UTC, %s. Machine: %d cores (%s), %s RAM, %s, "
                + "Chromium %s (headless, 1280×800), Playwright for Java; load average %s at the start, %s at the "
                + "end (the machine is shared).%n%n", mrnCount, runs,
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                        .format(Instant.now().atOffset(ZoneOffset.UTC)),
                commit(), Runtime.getRuntime()
                        .availableProcessors(),
                cpuModel(), memory(), jvm(), chromium, loadAtStart,
                loadAverage()));
        md.append(String.format("Data: %,d instances %s (reconciled %d s after the MRNs were posted); while the "
                + "browser ran, fetching (1 request/s) took them from %s to %s.%n%n", active(summaryBefore),
                "pending, fetching, completed or failed", reconcile.toSeconds(), counts(summaryBefore),
                counts(summaryAfter)));

        md.append(String.format("Resources page (`#/projects/%s/resources`, 50 MRNs a page), %d visits each; "
                + "milliseconds, median / max:%n%n", PROJECT, runs));
        md.append("| what | empty cache | warm cache |\n| --- | ---: | ---: |\n");
        List<Figure> figures = figures();
        for (Figure figure : figures) {
            md.append(String.format("| %s | %s | %s |%n", figure.what(), medianMax(cold, figure.value()),
                    medianMax(warm, figure.value())));
        }
        md.append(String.format("%nEmpty cache: a new browser context per visit, logged in through Keycloak's form on "
                + "`/console/me` (no front end loaded), then the page. Warm: one context, one untimed visit first, "
                + "each visit after `about:blank`. \"Painted\" is `performance.now()` in the page (from navigation "
                + "start) a frame after the first grid cell entered the DOM; \"wall\" is the benchmark's clock around "
                + "`page.navigate` and Playwright's wait for that cell. Filter and search: from the action to the "
                + "grid showing the new answer (`aria-busy=false` after the `/mrns` response); the search includes "
                + "the page's 300 ms debounce. `status=failed` matched %s MRNs.%n%n",
                medianMax(cold, v -> v
                        .failedMrns())));

        md.append("Front end shipped on a first visit (empty cache; static responses: the page, CSS, JS modules, "
                + "vendor modules; response bodies, headers excluded):\n\n");
        md.append(
                "| page | static responses | transferred (bytes) | decoded (bytes) |\n| --- | ---: | ---: | ---: |\n");
        for (Map.Entry<String, List<StaticFile>> visit : firstVisits.entrySet()) {
            List<StaticFile> files = visit.getValue();
            md.append(String.format("| %s | %d | %,d | %,d |%n", capitalised(visit.getKey()), files.size(),
                    files.stream().mapToLong(StaticFile::transferred).sum(), files.stream().mapToLong(
                            StaticFile::decoded).sum()));
        }
        md.append(String.format("%nWarm visits of Resources transferred %s bytes of static responses (median / max)."
                + "%n%n", medianMax(warm, v -> v.staticBytesTransferred())));
        md.append(
                "| file | type | encoding | transferred | decoded | pages |\n| --- | --- | --- | ---: | ---: | --- |\n");
        Map<String, StaticFile> files = new LinkedHashMap<>();
        Map<String, List<String>> pagesOf = new LinkedHashMap<>();
        firstVisits.forEach((page, list) -> list.forEach(file -> {
            files.putIfAbsent(file.path(), file);
            pagesOf.computeIfAbsent(file.path(), p -> new ArrayList<>()).add(page);
        }));
        files.values().stream().sorted(Comparator.comparing(StaticFile::path)).forEach(file -> md.append(String
                .format("| `%s` | %s | %s | %,d | %,d | %s |%n", file.path(), file.kind(), file.encoding(),
                        file.transferred(), file.decoded(), String.join(", ", pagesOf.get(file.path())))));

        System.out.println();
        System.out.println(md);
        Path target = Service.repositoryRoot().resolve("bench/target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("console-benchmark.md"), md);
        System.out.println("Figures: " + target.resolve("console-benchmark.md"));
        chart(target.resolve("console-benchmark.png"), figures);
    }

    /** A timed figure of a visit. */
    private record Figure(String what, ToDoubleFunction<Visit> value, String chartLabel) {
    }

    private static List<Figure> figures() {
        return List.of(new Figure("navigation → first grid row painted", Visit::firstRowPainted,
                "first grid row painted"),
                new Figure("navigation → first grid row (wall)", Visit::firstRowWall, null),
                new Figure("… the grid's `/mrns` request started at", Visit::gridRequestStart, null),
                new Figure("… the grid's `/mrns` request took", Visit::gridRequestDuration, null),
                new Figure("status filter → `failed` shown", Visit::statusFilter, "status filter shown"),
                new Figure("… its `/mrns` request took", Visit::statusFilterRequest, null),
                new Figure("MRN prefix search → shown (300 ms debounce included)", Visit::search,
                        "MRN search shown (300 ms debounce)"),
                new Figure("… its `/mrns` request took", Visit::searchRequest, null));
    }

    private void chart(Path png, List<Figure> figures) {
        try {
            BenchmarkChart.write(png, String.format("Console, Resources page at %,d MRNs × %d mappings", mrnCount,
                    MAPPINGS), "milliseconds",
                    List.of("empty cache, median", "empty cache, max", "warm, median",
                            "warm, max"),
                    figures.stream().filter(f -> f.chartLabel() != null).map(f -> new BenchmarkChart.Bar(
                            f.chartLabel(), List.of(median(cold, f.value()), max(cold, f.value()), median(warm,
                                    f.value()), max(warm, f.value()))))
                            .toList());
            System.out.println("Chart: " + png);
        } catch (IOException e) {
            System.err.println("Could not write the chart " + png + ": " + e.getMessage());
        }
    }

    private static String medianMax(List<Visit> visits, ToDoubleFunction<Visit> value) {
        return String.format("%,.0f / %,.0f", median(visits, value), max(visits, value));
    }

    private static double median(List<Visit> visits, ToDoubleFunction<Visit> value) {
        double[] sorted = visits.stream().mapToDouble(value).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double max(List<Visit> visits, ToDoubleFunction<Visit> value) {
        return visits.stream().mapToDouble(value).max().orElse(Double.NaN);
    }

    private static String counts(JsonNode summary) {
        JsonNode i = summary.path("instances");
        return String.format("%,d pending / %,d completed / %,d failed", i.path("pending").asLong(), i.path(
                "completed").asLong(), i.path("failed").asLong());
    }

    private static String capitalised(String page) {
        return Character.toUpperCase(page.charAt(0)) + page.substring(1);
    }

    // --- the machine ---------------------------------------------------------------------------------------------

    private static String loadAverage() {
        String[] fields = read("/proc/loadavg").split("\\s+");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "?";
    }

    private static String memory() {
        return read("/proc/meminfo").lines().filter(line -> line.startsWith("MemTotal:")).findFirst()
                .map(line -> String.format("%.1f GiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                .orElse("?");
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(line -> line.startsWith("model name")).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("?");
    }

    private static String jvm() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .directory(Service.repositoryRoot().toFile()).redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor() == 0 ? "working tree on commit `" + out + "`" : "commit unknown";
        } catch (IOException e) {
            return "commit unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "commit unknown";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
