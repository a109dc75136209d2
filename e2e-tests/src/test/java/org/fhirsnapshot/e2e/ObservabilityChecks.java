package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.fhirsnapshot.e2e.OtlpReceiver.ExportedSpan;

/**
 * Issue #8's checks on a finished run: every metric the dashboard and the alert rules of {@code deploy/observability}
 * name is one the services really expose (with the labels the expressions select on), one trace follows an instance
 * from reconcile through {@code pending-resource} and {@code fetch-result} across mrn-service and fetch-worker, and
 * no span attribute holds an MRN or a patient id.
 */
final class ObservabilityChecks {

    /** deploy/observability from the repository root (failsafe's working directory) or from e2e-tests (surefire's). */
    static final Path OBSERVABILITY = Files.isDirectory(Path.of("deploy", "observability"))
            ? Path.of("deploy", "observability")
            : Path.of("..", "deploy", "observability");
    /** Labels that Prometheus adds when it scrapes (the services do not expose them). */
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance", "pod", "namespace", "container");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+( \\S+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

    private ObservabilityChecks() {
    }

    /** A metric an expression selects, with the label names its matchers use. */
    record Selector(String metric, Set<String> labels, String expression) {
    }

    /** Every PromQL expression of the dashboard (targets' expr) and of the alert rules (expr). */
    static List<String> expressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper()
                .readTree(OBSERVABILITY.resolve("fhir-snapshot-dashboard.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        List<String> lines = Files.readAllLines(OBSERVABILITY.resolve("prometheus-rules.yaml"));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int at = line.indexOf("expr:");
            if (at < 0) {
                continue;
            }
            String inline = line.substring(at + 5).trim();
            if (!inline.equals("|") && !inline.equals(">")) {
                expressions.add(inline);
                continue;
            }
            StringBuilder block = new StringBuilder();
            int indent = at;
            while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                    || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                block.append(lines.get(++i).trim()).append(' ');
            }
            expressions.add(block.toString().trim());
        }
        return expressions;
    }

    /** The metrics an expression selects: identifiers that are not functions, keywords, grouping labels or numbers. */
    static List<Selector> selectors(String expression) {
        List<Selector> selectors = new ArrayList<>();
        String text = expression.replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ");
        Matcher token = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*})?").matcher(text);
        while (token.find()) {
            String name = token.group(1);
            int after = token.end();
            while (after < text.length() && text.charAt(after) == ' ') {
                after++;
            }
            boolean function = token.group(2) == null && after < text.length() && text.charAt(after) == '(';
            if (function || KEYWORDS.contains(name) || text.charAt(token.start() > 0 ? token.start() - 1 : 0) == '"') {
                continue;
            }
            Set<String> labels = new HashSet<>();
            if (token.group(2) != null) {
                Matcher label = LABEL.matcher(token.group(2));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
            selectors.add(new Selector(name, labels, expression));
        }
        return selectors;
    }

    /** Metric name to the label names seen on it, over every scrape. */
    static Map<String, Set<String>> metrics(Collection<String> scrapes) {
        Map<String, Set<String>> metrics = new HashMap<>();
        for (String scrape : scrapes) {
            for (String line : scrape.split("\n")) {
                // OpenMetrics exemplars (" # {trace_id=...} 1.0"), on counters and histograms once traces are sampled.
                int exemplar = line.indexOf(" # {");
                Matcher sample = SAMPLE.matcher(exemplar > 0 ? line.substring(0, exemplar) : line);
                if (line.startsWith("#") || !sample.matches()) {
                    continue;
                }
                Set<String> labels = metrics.computeIfAbsent(sample.group(1), name -> new HashSet<>());
                if (sample.group(2) != null) {
                    Matcher label = LABEL.matcher(sample.group(2));
                    while (label.find()) {
                        labels.add(label.group(1));
                    }
                }
            }
        }
        return metrics;
    }

    /** GET /q/metrics of each service URL. */
    static List<String> scrape(Collection<String> serviceUrls) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<String> scrapes = new ArrayList<>();
        for (String url : serviceUrls) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s/q/metrics", url).isEqualTo(200);
            scrapes.add(response.body());
        }
        return scrapes;
    }

    /** Every metric of the dashboard and the alerts exists, with every label its selectors use. */
    static void assertDashboardAndAlertsNameRealMetrics(Collection<String> scrapes) throws IOException {
        Map<String, Set<String>> exposed = metrics(scrapes);
        List<String> expressions = expressions();
        assertThat(expressions).as("expressions in deploy/observability").hasSizeGreaterThan(15);
        List<Selector> selectors = expressions.stream().flatMap(e -> selectors(e).stream()).toList();
        assertThat(selectors).extracting(Selector::metric).as("metrics named")
                .contains("fhir_snapshot_instances", "fhir_snapshot_fetch_duration_seconds_bucket",
                        "fhir_snapshot_ehr_responses_total", "fhir_snapshot_archive_sent_bytes_total");
        for (Selector selector : selectors) {
            assertThat(exposed).as("metric %s of: %s", selector.metric(), selector.expression())
                    .containsKey(selector.metric());
            Set<String> wanted = new HashSet<>(selector.labels());
            wanted.removeAll(SCRAPE_LABELS);
            assertThat(exposed.get(selector.metric())).as("labels of %s in: %s", selector.metric(),
                    selector.expression()).containsAll(wanted);
        }
        // Our own metrics: every label value is an id, a status or a class, never PHI (checked by the callers
        // against the cohort) and never a URL.
        for (String scrape : scrapes) {
            assertThat(scrape.lines().filter(line -> line.startsWith("fhir_snapshot_")))
                    .noneMatch(line -> line.contains("http://") || line.contains("https://"));
        }
    }

    /** No label value of any metric holds one of these values (MRNs, patient ids). */
    static void assertNoLabelHolds(Collection<String> scrapes, Collection<String> phi) {
        Set<String> values = new HashSet<>();
        for (String scrape : scrapes) {
            Matcher label = LABEL.matcher(scrape);
            while (label.find()) {
                values.add(label.group(3));
            }
        }
        for (String value : values) {
            assertThat(holdsAny(value, phi)).as("label value %s holds PHI", value).isFalse();
        }
    }

    /** Whether the text holds one of the values as a whole word (p007 in "p007" or "x/p007", not in "p0071"). */
    static boolean holdsAny(String text, Collection<String> phi) {
        for (String value : phi) {
            if (Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(value) + "(?![A-Za-z0-9])").matcher(text).find()) {
                return true;
            }
        }
        return false;
    }

    /**
     * One trace holds the whole life of an instance: the reconcile and the pending-resource publish in mrn-service,
     * the pending-resource consume, the fetch and the fetch-result publish in fetch-worker, and the fetch-result
     * consume in mrn-service. Returns that trace's spans.
     */
    static List<ExportedSpan> assertOneTraceFollowsAnInstance(List<ExportedSpan> spans) {
        Map<String, List<ExportedSpan>> byTrace = spans.stream()
                .collect(Collectors.groupingBy(ExportedSpan::traceId));
        List<ExportedSpan> fetches = spans.stream()
                .filter(s -> s.service().equals("fetch-worker") && s.name().equals("InstanceFetcher.fetch")).toList();
        assertThat(fetches).as("InstanceFetcher.fetch spans of fetch-worker").isNotEmpty();
        List<String> seen = new ArrayList<>();
        for (ExportedSpan fetch : fetches) {
            List<ExportedSpan> trace = byTrace.get(fetch.traceId());
            String instanceId = fetch.attributes().get("fhir_snapshot.instance_id");
            Set<String> shape = trace.stream().map(s -> s.service() + ":" + s.name()).collect(Collectors.toSet());
            seen.add(instanceId + " " + shape);
            boolean complete = has(trace, "mrn-service", "ReconcileService.reconcile")
                    && has(trace, "mrn-service", "pending-resource") && has(trace, "fetch-worker", "pending-resource")
                    && has(trace, "fetch-worker", "fetch-result") && has(trace, "mrn-service", "fetch-result");
            if (complete) {
                // The fetch span sits under the consume span of the record that asked for the instance.
                ExportedSpan parent = trace.stream().filter(s -> s.spanId().equals(fetch.parentSpanId())).findFirst()
                        .orElseThrow(() -> new AssertionError("the fetch span's parent is not in its trace"));
                assertThat(parent.service()).isEqualTo("fetch-worker");
                assertThat(parent.name()).contains("pending-resource");
                return trace;
            }
        }
        throw new AssertionError("no trace holds reconcile -> pending-resource -> fetch -> fetch-result across "
                + "mrn-service and fetch-worker; traces of fetches: " + seen.subList(0, Math.min(5, seen.size())));
    }

    private static boolean has(List<ExportedSpan> trace, String service, String nameContains) {
        return trace.stream().anyMatch(s -> s.service().equals(service) && s.name().contains(nameContains));
    }

    /** No attribute of any span holds one of these values (MRNs, patient ids). */
    static void assertNoSpanAttributeHolds(List<ExportedSpan> spans, Collection<String> phi) {
        for (ExportedSpan span : spans) {
            for (Map.Entry<String, String> attribute : span.attributes().entrySet()) {
                assertThat(holdsAny(attribute.getValue(), phi)).as("%s %s attribute %s=%s holds PHI", span.service(),
                        span.name(), attribute.getKey(), attribute.getValue()).isFalse();
            }
            assertThat(holdsAny(span.name(), phi)).as("span name %s holds PHI", span.name()).isFalse();
        }
    }
}
