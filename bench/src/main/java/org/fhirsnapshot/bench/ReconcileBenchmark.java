package org.fhirsnapshot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KafkaBroker;
import org.fhirsnapshot.infra.PostgresServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.infra.ServiceProperties;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalTokens;

/**
 * How long the synchronisation lifecycle takes at scale, measured through the public APIs of the real services:
 * a project of N MRNs × 10 mappings (1,000,000 instances at N = 100,000) is created, then one mapping is added, one
 * updated, and a full sync that finds nothing to do is run. Each figure is the sync task's own run time
 * ({@code finishedAt − startedAt}) and the wall time from the API call to the task's end (which includes the
 * event's trip through Kafka and the task's debounce). No fetch-worker runs: only reconciliation is measured.
 *
 * <p>
 * Usage: {@code bench/reconcile-benchmark [MRNS]} (default 100000).
 */
public final class ReconcileBenchmark {

    private static final List<String> MAPPINGS = List.of("demographics", "vital-signs", "laboratory",
            "social-history", "problem-list", "encounter-diagnosis", "medications", "allergies", "encounters",
            "immunizations");

    private ApiClient api;
    private final Map<Service, String> urls = new EnumMap<>(Service.class);
    private final List<String[]> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int mrns = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        new ReconcileBenchmark().run(mrns);
        System.exit(0);
    }

    private void run(int mrnCount) throws IOException {
        Path work = Files.createTempDirectory("fhir-snapshot-bench");
        // Services run from copies of their builds: a rebuild in the checkout during the run cannot pull jars from
        // under them.
        Path root = PinnedBuilds.pin(Service.repositoryRoot(), work.resolve("pinned"), List.of(Service.CONFIG,
                Service.MRN, Service.SYNC));
        // The services trust a local key made for this run; the benchmark calls the APIs as an admin.
        LocalTokens tokens = LocalTokens.loadOrCreate(work);
        api = new ApiClient(tokens.launcherAdminTokens());
        try (PostgresServer postgres = PostgresServer.start(work.resolve("postgres"), 0);
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), 0)) {
            List<ServiceProcess> processes = new ArrayList<>();
            try {
                for (Service service : List.of(Service.CONFIG, Service.MRN, Service.SYNC)) {
                    urls.put(service, "http://127.0.0.1:" + FreePorts.next());
                }
                for (Service service : List.of(Service.CONFIG, Service.MRN, Service.SYNC)) {
                    int port = Integer.parseInt(urls.get(service).substring(urls.get(service).lastIndexOf(':') + 1));
                    Map<String, String> properties = new LinkedHashMap<>(ServiceProperties.of(service, postgres,
                            kafka.bootstrapServers(), urls, work.resolve("payloads")));
                    properties.putAll(ServiceProperties.localOidc(tokens.privateKeyPem()));
                    processes.add(ServiceProcess.start(service, root, port, properties, work.resolve("logs"),
                            List.of("-Xmx1g", "-XX:+UseParallelGC")));
                }
                measure(mrnCount);
            } finally {
                processes.forEach(ServiceProcess::close);
            }
        }
        report(mrnCount);
    }

    private void measure(int mrnCount) {
        String config = urls.get(Service.CONFIG);
        long system = api.post(config + "/api/fhir-systems", Map.of("name", "bench", "baseUrl",
                "http://127.0.0.1:9/fhir", "auth", Map.of("type", "none"))).path("id").asLong();
        String key = "bench-" + mrnCount;
        api.post(config + "/api/projects", Map.of("key", key, "name", "Benchmark", "fhirSystemId", system, "enabled",
                true));
        for (String mapping : MAPPINGS.subList(0, MAPPINGS.size() - 1)) {
            api.post(config + "/api/projects/" + key + "/mappings", Map.of("name", mapping, "type", "predefined",
                    "spec", mapping));
        }
        awaitIdle(key);

        String text = IntStream.range(0, mrnCount).mapToObj(i -> String.format("BENCH%07d", i))
                .collect(Collectors.joining("\n"));
        time(key, String.format("add %,d MRNs to 9 mappings (%,d instances)", mrnCount, mrnCount * 9L),
                () -> api.postText(urls.get(Service.MRN) + "/api/projects/" + key + "/mrns", text));
        time(key, String.format("add a 10th mapping (%,d new instances)", mrnCount),
                () -> api.post(config + "/api/projects/" + key + "/mappings", Map.of("name", "immunizations", "type",
                        "predefined", "spec", "immunizations")));
        long mappingId = api.get(config + "/api/projects/" + key + "/mappings?size=50").path("items").get(0)
                .path("id").asLong();
        time(key, String.format("update one mapping (%,d outdated, %,d created)", mrnCount, mrnCount),
                () -> api.put(config + "/api/projects/" + key + "/mappings/" + mappingId, Map.of("name",
                        "demographics (renamed)", "type", "predefined", "spec", "demographics")));
        time(key, String.format("full sync with nothing to do (%,d instances)", mrnCount * 10L),
                () -> api.post(urls.get(Service.SYNC) + "/api/projects/" + key + "/tasks", Map.of("type",
                        "full-sync")));
    }

    /** Runs {@code action} and waits for the sync task it causes to finish. */
    private void time(String key, String what, Runnable action) {
        long before = newestTaskId(key);
        Instant called = Instant.now();
        action.run();
        JsonNode task = awaitFinishedTaskAfter(key, before);
        Instant finished = Instant.parse(task.path("finishedAt").asText());
        Duration run = Duration.between(Instant.parse(task.path("startedAt").asText()), finished);
        Duration wall = Duration.between(called, finished);
        String report = task.path("report").toString();
        System.out.printf("%-55s task %6.1f s  wall %6.1f s  %s%n", what, run.toMillis() / 1000.0,
                wall.toMillis() / 1000.0, report);
        rows.add(new String[]{what, String.format("%.1f", run.toMillis() / 1000.0),
                String.format("%.1f", wall.toMillis() / 1000.0), report});
    }

    private long newestTaskId(String key) {
        JsonNode items = api.get(urls.get(Service.SYNC) + "/api/projects/" + key + "/tasks?size=1").path("items");
        return items.isEmpty() ? 0 : items.get(0).path("id").asLong();
    }

    private JsonNode awaitFinishedTaskAfter(String key, long taskId) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(30));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode task : api.get(urls.get(Service.SYNC) + "/api/projects/" + key + "/tasks?size=20")
                    .path("items")) {
                if (task.path("id").asLong() > taskId && !task.path("type").asText().equals("sweep")
                        && (task.path("status").asText().equals("completed") || task.path("status").asText()
                                .equals("failed"))) {
                    return task;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new IllegalStateException("no task finished within 30 minutes");
    }

    private void awaitIdle(String key) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            boolean busy = false;
            for (JsonNode task : api.get(urls.get(Service.SYNC) + "/api/projects/" + key + "/tasks?size=50")
                    .path("items")) {
                busy |= task.path("status").asText().equals("pending") || task.path("status").asText().equals(
                        "running");
            }
            if (!busy) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    private void report(int mrnCount) {
        StringBuilder table = new StringBuilder();
        table.append(String.format("%nReconcile at %,d MRNs × 10 mappings%n%n", mrnCount));
        table.append("| operation | task run time (s) | wall time from the API call (s) | task report |\n");
        table.append("| --- | --- | --- | --- |\n");
        for (String[] row : rows) {
            table.append(String.format("| %s | %s | %s | `%s` |%n", (Object[]) row));
        }
        System.out.println(table);
        Path png = Service.repositoryRoot().resolve("docs/benchmarks/reconcile-" + mrnCount + ".png");
        try {
            BenchmarkChart.write(png, String.format("Reconcile at %,d MRNs × 10 mappings", mrnCount), "seconds",
                    List.of("task run time", "wall time from the API call"), rows.stream()
                            .map(row -> new BenchmarkChart.Bar(row[0], List.of(Double.parseDouble(row[1]),
                                    Double.parseDouble(row[2]))))
                            .toList());
            System.out.println("Chart: " + png);
        } catch (IOException e) {
            System.err.println("Could not write the chart " + png + ": " + e.getMessage());
        }
    }
}
