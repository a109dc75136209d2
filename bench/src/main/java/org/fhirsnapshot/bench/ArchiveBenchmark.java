package org.fhirsnapshot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KafkaBroker;
import org.fhirsnapshot.infra.PostgresServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.infra.ServiceProperties;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalTokens;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.StoredPayload;

/**
 * How fast archive-service streams a project's payloads, measured through its public API with the real services
 * as processes: PostgreSQL, Kafka, config-service, mrn-service and archive-service run; this program plays the
 * fetch-worker's part (it stores generated payloads in the payload store, claims the instances from mrn-service and
 * publishes their {@code fetch-result}s), then downloads the {@code json} archive (raw deflate copy, payloads
 * verified on the way, then again with verification off) and the {@code ndjson} archive with {@code curl} to
 * /dev/null, and measures MB/s, time to first byte (curl's {@code time_starttransfer}) and archive-service's heap ({@code jvm_memory_used_bytes{area="heap"}} from /q/metrics, the maximum
 * over the download). Next to them: {@code cat} of the stored payload files (the disk's ceiling for a raw copy) and
 * {@code zip -r} of the same payloads as plain JSON files.
 * <p>
 * Payloads: searchset Bundles of a few Observations (compressible JSON) and a DocumentReference whose attachment
 * (base64 of random bytes, as a scanned PDF is) makes up most of each payload; 100 kB to 3 MB each. Data is written
 * just before it is read, so it is in the page cache: the "disk" here is mostly memory.
 * <p>
 * Usage: {@code bench/archive-benchmark [GB]} (default 2: GB of payload JSON).
 */
public final class ArchiveBenchmark {

    private static final List<String> MAPPINGS = List.of("laboratory", "vital-signs", "clinical-notes",
            "medications");
    private static final double MB = 1_000_000.0;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Admin tokens, for the public APIs. */
    private Supplier<String> adminTokens;
    /** Calls the public APIs as an admin. */
    private ApiClient api;
    /** Calls the internal APIs as a service would (the fetch-worker's part this program plays). */
    private ApiClient internal;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Service, String> urls = new EnumMap<>(Service.class);
    private final List<Row> rows = new ArrayList<>();
    private long payloadBytes;
    private long storedBytes;
    private int instances;

    /** One measured operation. */
    record Row(String operation, long bytes, double seconds, Double firstByteMillis, Double maxHeapMb) {
        double mbPerSecond() {
            return bytes / MB / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        double gigabytes = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        new ArchiveBenchmark().run(gigabytes);
        System.exit(0);
    }

    private void run(double gigabytes) throws Exception {
        Path root = Service.repositoryRoot();
        Path work = Files.createDirectories(root.resolve("bench/target/archive-benchmark-work"));
        Path payloads = work.resolve("payloads");
        Path plainFiles = work.resolve("plain");
        String unverifiedUrl;
        // Services run from copies of their builds: a rebuild in the checkout during the run cannot pull jars from
        // under them (as the end-to-end tests pin theirs).
        Path pinned = work.resolve("pinned");
        // The services trust a local key made for this run.
        LocalTokens tokens = LocalTokens.loadOrCreate(work);
        adminTokens = tokens.launcherAdminTokens();
        api = new ApiClient(adminTokens);
        internal = new ApiClient(tokens.renewing("archive-benchmark", List.of("service")));
        Map<String, String> localOidc = ServiceProperties.localOidc(tokens.privateKeyPem());
        PinnedBuilds.pin(root, pinned, List.of(Service.CONFIG, Service.MRN, Service.ARCHIVE));
        try (PostgresServer postgres = PostgresServer.start(work.resolve("postgres"), 0);
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), 0)) {
            List<ServiceProcess> processes = new ArrayList<>();
            try {
                for (Service service : List.of(Service.CONFIG, Service.MRN, Service.ARCHIVE)) {
                    urls.put(service, "http://127.0.0.1:" + FreePorts.next());
                }
                for (Service service : List.of(Service.CONFIG, Service.MRN, Service.ARCHIVE)) {
                    Map<String, String> properties = new LinkedHashMap<>(ServiceProperties.of(service, postgres,
                            kafka.bootstrapServers(), urls, payloads));
                    properties.putAll(localOidc);
                    processes.add(ServiceProcess.start(service, pinned, port(urls.get(service)), properties,
                            work.resolve("logs"), jvmOptions(service)));
                }
                // A second archive-service on the same data, with payload verification off.
                unverifiedUrl = "http://127.0.0.1:" + FreePorts.next();
                Map<String, String> unverified = new LinkedHashMap<>(ServiceProperties.of(Service.ARCHIVE,
                        postgres, kafka.bootstrapServers(), urls, payloads));
                unverified.putAll(localOidc);
                unverified.put("fhir-snapshot.archive.verify-payloads", "false");
                processes.add(ServiceProcess.start(Service.ARCHIVE, pinned, port(unverifiedUrl), unverified,
                        work.resolve("logs-unverified"), jvmOptions(Service.ARCHIVE)));

                String key = setUp(gigabytes, kafka.bootstrapServers(), new FileSystemPayloadStore(payloads),
                        plainFiles);
                measureBaselines(payloads, plainFiles, work);
                String archive = "/api/projects/" + key + "/archive";
                // Warm-up: one small archive per path and process, so first-request costs (JIT, connection pools)
                // do not land in the figures.
                for (String url : List.of(urls.get(Service.ARCHIVE), unverifiedUrl)) {
                    for (String format : List.of("json", "ndjson")) {
                        api.download(url + archive + "?mrn=BENCH0000000&format=" + format, work.resolve("warm.zip"));
                    }
                }
                download("json: raw deflate copy, verified", urls.get(Service.ARCHIVE),
                        archive);
                download("json: raw deflate copy, unverified", unverifiedUrl, archive);
                download("ndjson: parsed, deflated", urls.get(Service.ARCHIVE),
                        archive + "?format=ndjson");
            } finally {
                processes.forEach(ServiceProcess::close);
            }
        } finally {
            deleteTree(work);
        }
        report(gigabytes);
    }

    private static List<String> jvmOptions(Service service) {
        // archive-service gets a small heap on purpose: the archive must stream in bounded memory.
        return service == Service.ARCHIVE
                ? List.of("-Xmx256m", "-XX:+UseParallelGC")
                : List.of("-Xmx1g", "-XX:+UseParallelGC");
    }

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    // --- the data ------------------------------------------------------------------------------------------------

    private String setUp(double gigabytes, String bootstrap, PayloadStore store, Path plainFiles) throws IOException {
        String config = urls.get(Service.CONFIG);
        String mrnService = urls.get(Service.MRN);
        long system = api.post(config + "/api/fhir-systems", Map.of("name", "bench", "baseUrl",
                "http://127.0.0.1:9/fhir", "auth", Map.of("type", "none"))).path("id").asLong();
        String key = "archive-bench";
        api.post(config + "/api/projects", Map.of("key", key, "name", "Archive benchmark", "fhirSystemId", system,
                "enabled", true));
        for (String mapping : MAPPINGS) {
            api.post(config + "/api/projects/" + key + "/mappings", Map.of("name", mapping, "type", "predefined",
                    "spec", mapping));
        }
        long target = (long) (gigabytes * 1e9);
        int mrnCount = (int) Math.max(1, Math.ceil(target / 1_550_000.0 / MAPPINGS.size()));
        String text = IntStream.range(0, mrnCount).mapToObj(i -> String.format("BENCH%07d", i))
                .collect(Collectors.joining("\n"));
        api.postText(mrnService + "/api/projects/" + key + "/mrns", text);
        JsonNode mappings = internal.get(config + "/internal/projects/" + key + "/mappings");
        internal.post(mrnService + "/internal/projects/" + key + "/reconcile", Map.of("fhirSystemId",
                mappings.path("fhirSystemId").asLong(), "mappings", mappings.path("mappings")));

        List<JsonNode> pending = new ArrayList<>();
        for (int page = 0;; page++) {
            JsonNode items = api.get(mrnService + "/api/projects/" + key + "/instances?status=pending&size=1000&page="
                    + page).path("items");
            items.forEach(pending::add);
            if (items.size() < 1000) {
                break;
            }
        }
        instances = pending.size();
        System.out.printf("Generating %,d payloads (%d MRNs × %d mappings, about %.1f GB of JSON)…%n", instances,
                mrnCount, MAPPINGS.size(), gigabytes);
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        SplittableRandom random = new SplittableRandom(2026);
        Instant started = Instant.now();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            for (int from = 0; from < pending.size(); from += 200) {
                List<JsonNode> batch = pending.subList(from, Math.min(pending.size(), from + 200));
                JsonNode claimed = internal.post(mrnService + "/internal/instances/claim", Map.of("instanceIds",
                        batch.stream().map(i -> i.path("id").asLong()).toList(), "workerId", "archive-benchmark",
                        "leaseSeconds", 3600));
                for (JsonNode claim : claimed) {
                    int observations = 5 + random.nextInt(40);
                    byte[] payload = payload(claim.path("instanceId").asLong(), observations,
                            100_000 + random.nextInt(2_900_000), random);
                    StoredPayload stored = store.write(new ByteArrayInputStream(payload));
                    payloadBytes += stored.size();
                    storedBytes += stored.compressedSize();
                    Path plain = plainFiles.resolve(claim.path("mrn").asText()).resolve(
                            claim.path("instanceId").asText() + ".json");
                    Files.createDirectories(plain.getParent());
                    Files.write(plain, payload);
                    FetchResult result = FetchResult.completed(claim.path("instanceId").asLong(),
                            claim.path("claimToken").asText(), stored.ref(), new Pagination(1, observations + 1, 0,
                                    stored.size()),
                            List.of(), "bench-" + claim.path("mrnId").asText());
                    producer.send(new ProducerRecord<>(Topics.FETCH_RESULT, String.valueOf(result.instanceId()),
                            JSON.writeValueAsString(result)));
                }
            }
            producer.flush();
        }
        System.out.printf("Stored %.0f MB of JSON as %.0f MB of gzip in %d s%n", payloadBytes / MB, storedBytes / MB,
                Duration.between(started, Instant.now()).toSeconds());
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (api.get(mrnService + "/api/projects/" + key + "/summary").path("instances").path("completed")
                .asLong() < instances) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("mrn-service did not apply every fetch-result within 10 minutes");
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        return key;
    }

    /** A searchset Bundle: some Observations, and a DocumentReference whose attachment fills it to {@code size}. */
    private static byte[] payload(long instanceId, int observations, int size, SplittableRandom random) {
        StringBuilder json = new StringBuilder(size + 4096);
        json.append("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":").append(observations + 1)
                .append(",\"link\":[{\"relation\":\"self\",\"url\":\"https://ehr.example/fhir/Observation?patient=")
                .append(instanceId).append("\"}],\"entry\":[");
        for (int i = 0; i < observations; i++) {
            json.append("{\"fullUrl\":\"https://ehr.example/fhir/Observation/o").append(instanceId).append('-')
                    .append(i).append("\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o")
                    .append(instanceId).append('-').append(i).append("\",\"status\":\"final\",\"category\":[{"
                            + "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\","
                            + "\"code\":\"laboratory\"}]}],\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                            + "\"code\":\"2345-7\",\"display\":\"Glucose [Mass/volume] in Serum or Plasma\"}]},"
                            + "\"effectiveDateTime\":\"20")
                    .append(10 + random.nextInt(16)).append("-0").append(1 + random.nextInt(9)).append("-1")
                    .append(random.nextInt(10)).append("T08:00:00Z\",\"valueQuantity\":{\"value\":")
                    .append(60 + random.nextInt(140)).append('.').append(random.nextInt(10))
                    .append(",\"unit\":\"mg/dL\"}},\"search\":{\"mode\":\"match\"}},");
        }
        int attachment = Math.max(1000, (size - json.length()) * 3 / 4);
        byte[] noise = new byte[attachment];
        random.nextBytes(noise);
        json.append("{\"fullUrl\":\"https://ehr.example/fhir/DocumentReference/d").append(instanceId)
                .append("\",\"resource\":{\"resourceType\":\"DocumentReference\",\"id\":\"d").append(instanceId)
                .append("\",\"status\":\"current\",\"date\":\"2024-05-0").append(1 + random.nextInt(9))
                .append("T10:00:00Z\",\"content\":[{\"attachment\":{\"contentType\":\"application/pdf\",\"data\":\"")
                .append(Base64.getEncoder().encodeToString(noise)).append("\"}}]},\"search\":{\"mode\":\"match\"}}]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    // --- the measurements ------------------------------------------------------------------------------------------

    private void measureBaselines(Path payloads, Path plainFiles, Path work) throws IOException {
        Instant start = Instant.now();
        shell("find . -name '*.json.gz' -print0 | xargs -0 cat > /dev/null", payloads);
        rows.add(new Row("cat of the stored files (ceiling)", storedBytes, seconds(start), null, null));
        Path zip = work.resolve("plain.zip");
        start = Instant.now();
        shell("zip -r -q " + zip + " .", plainFiles);
        rows.add(new Row("zip -r of the payloads as JSON files", Files.size(zip), seconds(start), null,
                null));
        System.out.printf("zip -r wrote %.0f MB (read %.0f MB of JSON)%n", Files.size(zip) / MB, payloadBytes / MB);
        Files.delete(zip);
    }

    /** Downloads with curl to /dev/null (a client that costs this JVM nothing) and reads its timings. */
    private void download(String what, String baseUrl, String path) {
        HeapWatch heap = new HeapWatch(baseUrl + "/q/metrics");
        Thread watcher = new Thread(heap, "heap-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
            // The token goes in on stdin (-H @-), not on the command line that every local user can read.
            Process curl = new ProcessBuilder("curl", "-sS", "--fail", "-H", "@-", "-o", "/dev/null", "-D", "-", "-w",
                    "\nTIMES %{time_starttransfer} %{time_total} %{size_download}\n", baseUrl + path)
                    .redirectErrorStream(true).start();
            try (var header = curl.getOutputStream()) {
                header.write(("Authorization: Bearer " + adminTokens.get() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (curl.waitFor() != 0) {
                throw new IllegalStateException(what + ": curl failed: " + output);
            }
            heap.stop();
            watcher.join();
            String[] times = output.substring(output.lastIndexOf("TIMES ") + 6).trim().split(" ");
            double firstByte = Double.parseDouble(times[0]) * 1000;
            double seconds = Double.parseDouble(times[1]);
            long bytes = Long.parseLong(times[2]);
            String length = output.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith(
                    "content-length:")).findFirst().map(l -> l.substring(15).trim()).orElse("none (chunked)");
            System.out.printf("%-55s %,15d bytes %7.1f s %7.1f MB/s  first byte %6.0f ms  heap max %5.0f MB  "
                    + "Content-Length %s%n", what, bytes, seconds, bytes / MB / seconds, firstByte, heap.maxMb(),
                    length);
            rows.add(new Row(what, bytes, seconds, firstByte, heap.maxMb()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls /q/metrics and keeps the largest sum of {@code jvm_memory_used_bytes{area="heap"}}. */
    private final class HeapWatch implements Runnable {

        private final String url;
        private final AtomicLong max = new AtomicLong();
        private volatile boolean running = true;

        HeapWatch(String url) {
            this.url = url;
        }

        @Override
        public void run() {
            while (running) {
                try {
                    String metrics = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    long used = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{")
                            && l.contains("area=\"heap\"")).mapToLong(
                                    l -> (long) Double.parseDouble(
                                            l.substring(l.lastIndexOf(' ') + 1)))
                            .sum();
                    max.accumulateAndGet(used, Math::max);
                } catch (IOException e) {
                    // The next poll will do.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }

        void stop() {
            running = false;
        }

        double maxMb() {
            return max.get() / MB;
        }
    }

    private static void shell(String command, Path directory) throws IOException {
        try {
            Process process = new ProcessBuilder("sh", "-c", command).directory(directory.toFile()).inheritIO()
                    .start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException(command + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(Instant start) {
        return Duration.between(start, Instant.now()).toNanos() / 1e9;
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private void report(double gigabytes) throws IOException {
        StringBuilder table = new StringBuilder();
        table.append(String.format("%nArchive of %,d instances: %.0f MB of payload JSON, stored as %.0f MB of gzip "
                + "(bench/archive-benchmark %s; %d cores)%n%n", instances, payloadBytes / MB, storedBytes / MB,
                gigabytes, Runtime.getRuntime().availableProcessors()));
        table.append("| operation | bytes out | seconds | MB/s out | payload MB/s | first byte (ms) | "
                + "archive-service heap max (MB, -Xmx256m) |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Row row : rows) {
            table.append(String.format("| %s | %,d | %.1f | %.0f | %.0f | %s | %s |%n", row.operation(), row.bytes(),
                    row.seconds(), row.mbPerSecond(), payloadBytes / MB / row.seconds(),
                    row.firstByteMillis() == null ? "–" : String.format("%.0f", row.firstByteMillis()),
                    row.maxHeapMb() == null ? "–" : String.format("%.0f", row.maxHeapMb())));
        }
        System.out.println(table);
        Path target = Service.repositoryRoot().resolve("bench/target");
        Files.writeString(target.resolve("archive-benchmark.md"), table.toString());
        Path png = target.resolve("archive-benchmark.png");
        BenchmarkChart.write(png, String.format("Archive of %.0f MB of payloads", payloadBytes / MB),
                "MB/s of payload JSON (higher is better)", List.of("payload MB/s"), rows.stream()
                        .map(row -> new BenchmarkChart.Bar(row.operation(), List.of(payloadBytes / MB
                                / row.seconds())))
                        .toList());
        System.out.println("Figures: " + target.resolve("archive-benchmark.md") + ", chart: " + png);
    }
}
