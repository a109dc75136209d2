package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.fhirsnapshot.e2e.OtlpReceiver.ExportedSpan;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole system as processes (every service, a real Kafka broker and PostgreSQL) against the FHIR sandbox,
 * driven through the public APIs exactly as the command line drives it, and checked against the sandbox's own
 * ground truth. Observability (issue #8) on the same run: every backend exports its spans to an OTLP receiver in this
 * test, mrn-service logs JSON, and afterwards the traces, the metrics the dashboard and alerts name, and the JSON log
 * lines are checked ({@link ObservabilityChecks}).
 */
class SnapshotEndToEndIT {

    /** Catalog key or custom spec, and the search the sandbox's ground truth knows it by. */
    private static final Map<String, String> MAPPINGS = Map.of(
            "demographics", "Patient",
            "laboratory", "Observation?category=laboratory",
            "problem-list", "Condition?category=problem-list-item",
            "medications", "MedicationRequest",
            "Observation?category=social-history", "Observation?category=social-history");

    private static LocalStack stack;
    private static Path work;
    private static ConsoleCapture jvmConsole;
    private static OtlpReceiver otlp;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-e2e");
        // The test JVM's console too: PostgreSQL's server log ends up there.
        jvmConsole = ConsoleCapture.start(work);
        // Pinned builds: a module rebuilt by someone else during the run does not pull the jars from under it.
        otlp = OtlpReceiver.start();
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                observability(), true),
                (part, endpoint) -> System.out.printf("e2e: %s ready at %s%n", part, endpoint));
    }

    /**
     * Tracing on (every span sampled) toward the receiver, over OTLP/HTTP protobuf, exported every 200 ms; JSON logs
     * for mrn-service (the others stay plain, as the launcher writes them by default).
     */
    private static Map<Service, Map<String, String>> observability() {
        Map<String, String> tracing = Map.of(
                "quarkus.otel.traces.sampler.arg", "1",
                "quarkus.otel.exporter.otlp.traces.endpoint", otlp.endpoint(),
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.bsp.schedule.delay", "200ms");
        Map<Service, Map<String, String>> properties = new EnumMap<>(Service.class);
        for (Service service : Service.BACKENDS) {
            properties.put(service, tracing);
        }
        Map<String, String> mrn = new HashMap<>(tracing);
        mrn.put("quarkus.log.console.json.enabled", "true");
        properties.put(Service.MRN, mrn);
        return properties;
    }

    @AfterAll
    static void stopStack() {
        try {
            PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, List.of());
        } finally {
            if (otlp != null) {
                otlp.close();
            }
        }
    }

    @Test
    void snapshotOfTheDemoCohortMatchesTheSandboxGroundTruth() throws Exception {
        SandboxCohort cohort = stack.sandbox().cohort();
        List<String> mrns = cohort.demoMrns();
        assertThat(mrns).hasSizeGreaterThanOrEqualTo(50);
        Path zipFile = work.resolve("snapshot.zip");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        // The demo's limits (500 requests/s, far above what this pipeline asks of the sandbox), not config-service's
        // default of 20/s: the efficiency figure measures the pipeline, not the rate limiter.
        SnapshotSummary summary = new SnapshotJob(stack, new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(new SnapshotRequest(stack.sandbox().baseUrl(), SandboxCohort.MRN_SYSTEM, mrns,
                        new ArrayList<>(MAPPINGS.keySet()), zipFile), SnapshotJob.SANDBOX_LIMITS);

        GroundTruth truth = cohort.groundTruth();
        assertThat(summary.instancesByStatus().get("completed") + summary.instancesByStatus().get("failed"))
                .isEqualTo((long) mrns.size() * MAPPINGS.size());
        GroundTruthCheck.assertArchiveMatches(zipFile, truth, MAPPINGS);
        Figures.record(summary, stack.sandbox(), truth, MAPPINGS.values());

        List<String> phi = new ArrayList<>(mrns);
        truth.patients().stream().map(PatientTruth::patientId).filter(Objects::nonNull).forEach(phi::add);
        // An MRN in a URL (the grid's mrn= filter and an MRN's path): its HTTP span must not keep it.
        String mrnsUrl = stack.url(Service.MRN) + "/api/projects/" + summary.projectKey() + "/mrns";
        assertThat(stack.apiClient().get(mrnsUrl + "?mrn=" + mrns.get(0)).path("total").asLong()).isEqualTo(1);
        observabilityOfTheRun(phi);
    }

    /** Issue #8 on the run above: metrics named by deploy/observability, one trace per instance, JSON logs. */
    private static void observabilityOfTheRun(List<String> phi) throws Exception {
        // Awaited: a service counts a request after answering it (archive-service after the ZIP's last byte).
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> ObservabilityChecks.assertDashboardAndAlertsNameRealMetrics(
                        ObservabilityChecks.scrape(Service.BACKENDS.stream().map(stack::url).toList())));
        List<String> scrapes = ObservabilityChecks.scrape(Service.BACKENDS.stream().map(stack::url).toList());
        ObservabilityChecks.assertNoLabelHolds(scrapes, phi);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> ObservabilityChecks.assertOneTraceFollowsAnInstance(
                otlp.spans()));
        assertThat(otlp.failures()).as("OTLP requests the receiver could not decode").isEmpty();
        List<ExportedSpan> spans = otlp.spans();
        assertThat(spans).extracting(ExportedSpan::service).as("services that exported spans")
                .contains("config-service", "mrn-service", "sync-service", "fetch-worker", "archive-service");
        ObservabilityChecks.assertNoSpanAttributeHolds(spans, phi);
        // The grid request with ?mrn= was traced, and its query redacted (PhiSafeSpans), not dropped.
        assertThat(spans).as("the mrn-service span of GET .../mrns?mrn=").anyMatch(span -> span.service()
                .equals("mrn-service") && "redacted".equals(span.attributes().get("url.query")));

        // mrn-service logged JSON: a line logged inside the reconcile carries its trace and span ids (MDC).
        Path log = stack.dataDirectory().resolve("logs").resolve("mrn-service.log");
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> reconciled = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("{") && line.contains("Reconciled project")) {
                reconciled.add(json.readTree(line));
            }
        }
        assertThat(reconciled).as("JSON lines of mrn-service about a reconcile").isNotEmpty();
        Set<String> traceIds = spans.stream().map(ExportedSpan::traceId).collect(Collectors.toSet());
        assertThat(reconciled).allSatisfy(line -> {
            assertThat(line.path("mdc").path("traceId").asText()).matches("[0-9a-f]{32}").isIn(traceIds);
            assertThat(line.path("mdc").path("spanId").asText()).matches("[0-9a-f]{16}");
        });
    }

}
