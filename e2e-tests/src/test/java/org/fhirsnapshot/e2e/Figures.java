package org.fhirsnapshot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;

/**
 * The figures the end-to-end run reports (not assertions): the pipeline's resources per second next to the
 * sandbox's raw throughput for the same searches fetched by a plain HTTP client at the worker's concurrency. Written
 * to {@code e2e-tests/target/e2e-figures.md}.
 */
final class Figures {

    /** The fetch-worker's default concurrency, so both sides fetch with the same parallelism. */
    private static final int CONCURRENCY = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Figures() {
    }

    static void record(SnapshotSummary summary, FhirSandbox sandbox, GroundTruth truth, Collection<String> searches)
            throws Exception {
        double pipelineSeconds = summary.elapsed().toMillis() / 1000.0;
        double pipelineRate = summary.resources() / pipelineSeconds;

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong resources = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        Instant started = Instant.now();
        List<Future<?>> work = new ArrayList<>();
        for (PatientTruth patient : truth.patients()) {
            if (!patient.exists() || patient.restricted()) {
                continue;
            }
            for (String search : searches) {
                work.add(pool.submit(() -> {
                    resources.addAndGet(fetchAllPages(http, sandbox.baseUrl(), search, patient.patientId()));
                    return null;
                }));
            }
        }
        for (Future<?> future : work) {
            future.get();
        }
        pool.shutdown();
        double rawSeconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        double rawRate = resources.get() / rawSeconds;

        String text = String.format("""
                # End-to-end figures
                | what | value |
                | --- | --- |
                | instances | %d |
                | resources | %d |
                | pipeline wall time (setup to last ZIP byte) | %.1f s |
                | pipeline resources/s | %.0f |
                | sandbox raw resources/s (plain HTTP client, %d concurrent) | %.0f (%.1f s) |
                | efficiency (pipeline / raw) | %.0f %% |
                """, summary.instancesByStatus().values().stream().mapToLong(Long::longValue).sum(),
                summary.resources(), pipelineSeconds, pipelineRate, CONCURRENCY, rawRate, rawSeconds,
                100 * pipelineRate / rawRate);
        write("e2e-figures.md", text);
    }

    /** Prints {@code text} and writes it to {@code e2e-tests/target/{fileName}}, replacing an earlier run's. */
    static void write(String fileName, String text) throws IOException {
        System.out.println(text);
        Path target = Path.of("e2e-tests", "target");
        Files.createDirectories(target);
        Files.writeString(target.resolve(fileName), text);
    }

    private static long fetchAllPages(HttpClient http, String base, String search, String patientId)
            throws IOException, InterruptedException {
        String parameter = search.equals("Patient") ? "_id=" : "patient=";
        String url = base + "/" + search + (search.contains("?") ? "&" : "?") + parameter
                + URLEncoder.encode(patientId, StandardCharsets.UTF_8) + "&_count=100";
        long count = 0;
        while (url != null) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "application/fhir+json").GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode bundle = JSON.readTree(response.body());
            count += GroundTruthCheck.resourceIds(bundle).size();
            url = null;
            for (JsonNode link : bundle.path("link")) {
                if ("next".equals(link.path("relation").asText())) {
                    url = link.path("url").asText();
                }
            }
        }
        return count;
    }
}
