package org.fhirsnapshot.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KafkaBroker;
import org.fhirsnapshot.infra.PostgresServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.infra.ServiceProperties;
import org.fhirsnapshot.launcher.LocalTokens;

/**
 * What validating the bearer token costs a simple request: requests per second of {@code GET /api/catalog/predefined}
 * (a constant list, no database) from N concurrent clients, against two config-service processes side by side on the
 * same PostgreSQL and Kafka:
 * <ul>
 * <li><b>token validated</b>: the service as built, trusting the run's local key (quarkus-oidc verifies each request's
 * RS256 signature, issuer and expiry; api-security turns the groups into roles);</li>
 * <li><b>no token validation</b>: the same sources built again with {@code quarkus.security.jaxrs.default-roles-allowed}
 * unset (a build-time property: no endpoint then needs an authenticated caller) and run with
 * {@code quarkus.oidc.tenant-enabled=false} (quarkus-oidc authenticates nobody). {@code bench/auth-benchmark} makes
 * that build under {@code bench/target/auth-benchmark/open}.</li>
 * </ul>
 * Both get the same request, token header included, so that the only difference is what the service does with it.
 * The benchmark checks first that the first refuses a call without a token (401) and that the second answers it
 * (200). After a warm-up of each, rounds alternate between the two (so that a neighbour's load on a shared machine
 * falls on both); the figure of each is the median of its rounds. The clients are {@code java.net.http.HttpClient}s
 * (HTTP/1.1, keep-alive) in this JVM, on the same machine as the services.
 * <p>
 * Usage: {@code bench/auth-benchmark [SECONDS_PER_ROUND] [CLIENTS] [ROUNDS]} (default 15, 16, 3).
 */
public final class AuthBenchmark {

    private static final String PATH = "/api/catalog/predefined";
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseParallelGC");

    private final Duration round;
    private final int clients;
    private final int rounds;

    private AuthBenchmark(Duration round, int clients, int rounds) {
        this.round = round;
        this.clients = clients;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        new AuthBenchmark(Duration.ofSeconds(seconds), clients, rounds).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path root = Service.repositoryRoot();
        Path openBuild = root.resolve("bench/target/auth-benchmark/open");
        if (!Files.exists(Service.CONFIG.jar(openBuild))) {
            throw new IllegalStateException(Service.CONFIG.jar(openBuild) + " is missing: run bench/auth-benchmark, "
                    + "which builds config-service without token validation there");
        }
        Path work = Files.createTempDirectory("fhir-snapshot-auth-bench");
        // The build with token validation runs from a copy: a rebuild in the checkout cannot pull it from under us.
        Path pinned = work.resolve("pinned");
        PinnedBuilds.pin(root, pinned, List.of(Service.CONFIG));
        LocalTokens tokens = LocalTokens.loadOrCreate(work);
        String token = tokens.admin("auth-benchmark");
        Map<String, Double> medians = new LinkedHashMap<>();
        List<String> roundLines = new ArrayList<>();
        try (PostgresServer postgres = PostgresServer.start(work.resolve("postgres"), 0);
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), 0)) {
            List<ServiceProcess> processes = new ArrayList<>();
            try {
                Map<String, String> properties = new LinkedHashMap<>(ServiceProperties.of(Service.CONFIG, postgres,
                        kafka.bootstrapServers(), Map.of(), work.resolve("payloads")));
                properties.putAll(ServiceProperties.localOidc(tokens.privateKeyPem()));
                // One after the other: the second finds the schema Flyway made for the first.
                ServiceProcess validating = ServiceProcess.start(Service.CONFIG, pinned, FreePorts.next(), properties,
                        work.resolve("logs-validating"), JVM_OPTIONS);
                processes.add(validating);
                Map<String, String> openProperties = new LinkedHashMap<>(properties);
                openProperties.put("quarkus.oidc.tenant-enabled", "false");
                ServiceProcess open = ServiceProcess.start(Service.CONFIG, openBuild, FreePorts.next(),
                        openProperties, work.resolve("logs-open"), JVM_OPTIONS);
                processes.add(open);

                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                requireStatus(http, validating.url(), null, 401, "token validated");
                requireStatus(http, validating.url(), token, 200, "token validated");
                requireStatus(http, open.url(), null, 200, "no token validation");
                Map<String, String> urls = new LinkedHashMap<>();
                urls.put("token validated", validating.url());
                urls.put("no token validation", open.url());

                urls.forEach((name, url) -> System.out.printf("warm-up %-20s %,10.0f req/s%n", name, load(http,
                        url, token, WARM_UP)));
                Map<String, List<Double>> figures = new LinkedHashMap<>();
                for (int i = 1; i <= rounds; i++) {
                    for (Map.Entry<String, String> variant : urls.entrySet()) {
                        double perSecond = load(http, variant.getValue(), token, round);
                        figures.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(perSecond);
                        String line = String.format("round %d %-20s %,10.0f req/s", i, variant.getKey(), perSecond);
                        System.out.println(line);
                        roundLines.add(line);
                    }
                }
                figures.forEach((name, values) -> medians.put(name, median(values)));
            } finally {
                processes.forEach(ServiceProcess::close);
            }
        } finally {
            deleteTree(work);
        }
        report(medians, roundLines);
    }

    /** Fails unless an anonymous (or token-bearing) GET answers {@code expected}: the variant is what it claims. */
    private static void requireStatus(HttpClient http, String url, String token, int expected, String variant)
            throws IOException, InterruptedException {
        HttpResponse<Void> response = http.send(request(url, token), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(String.format("%s: GET %s %s answered %d, expected %d", variant, PATH,
                    token == null ? "without a token" : "with a token", response.statusCode(), expected));
        }
    }

    private static HttpRequest request(String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + PATH)).timeout(Duration.ofSeconds(30))
                .GET();
        return token == null ? request.build() : request.header("Authorization", "Bearer " + token).build();
    }

    /** {@link #clients} threads sending the GET back to back for {@code duration}; answered requests per second. */
    private double load(HttpClient http, String url, String token, Duration duration) {
        HttpRequest request = request(url, token);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        (response.statusCode() == 200 ? ok : failed).incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "client-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + (ok.get() + failed.get()) + " requests to " + url
                    + " failed");
        }
        return ok.get() / seconds;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private void report(Map<String, Double> medians, List<String> roundLines) throws IOException {
        double validated = medians.get("token validated");
        double open = medians.get("no token validation");
        StringBuilder text = new StringBuilder();
        text.append(String.format("GET %s, %d concurrent clients, %d rounds of %d s each (median), %d processors%n%n",
                PATH, clients, rounds, round.toSeconds(), Runtime.getRuntime().availableProcessors()));
        text.append("| config-service | requests/s | per request |\n| --- | --- | --- |\n");
        text.append(String.format("| no token validation | %,.0f | %.3f ms of the machine |%n", open, 1000 / open));
        text.append(String.format("| token validated (RS256) | %,.0f | %.3f ms of the machine |%n", validated,
                1000 / validated));
        text.append(String.format("%nValidation costs %.0f %% of the throughput (%.3f ms per request).%n%n",
                100 * (1 - validated / open), 1000 / validated - 1000 / open));
        text.append("Rounds:\n\n");
        roundLines.forEach(line -> text.append("    ").append(line).append('\n'));
        System.out.println();
        System.out.print(text);
        Path target = Service.repositoryRoot().resolve("bench/target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("auth-benchmark.md"), text);
        System.out.println("written to " + target.resolve("auth-benchmark.md"));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
