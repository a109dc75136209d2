package org.fhirsnapshot.bench;

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
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.KafkaBroker;
import org.fhirsnapshot.infra.PostgresServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProperties;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalTokens;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.SandboxCohort;

/**
 * Start-up time and memory of every service run from its container image (JVM mode), as Kubernetes would run it:
 * the image's own entrypoint, user and working directory, configuration in environment variables, a memory limit.
 * PostgreSQL, Kafka and the FHIR sandbox are the launcher's real servers (local-infra); each service runs in a
 * podman container on the host network, one after the other in the launcher's start order.
 * <ul>
 * <li>start-up: from the JVM process's start (its start time in /proc) to the first 200 of {@code /q/health/ready},
 * next to Quarkus' own "started in" and the time from {@code podman run} (container creation included);</li>
 * <li>at rest: RSS (VmRSS of the JVM in /proc) and heap used ({@code jvm_memory_used_bytes{area="heap"}} of
 * /q/metrics) sampled every second for {@link #REST_SAMPLES} s, after {@link #SETTLE} of quiet;</li>
 * <li>under load: the same samples every second while a real snapshot runs through the public APIs (the launcher's
 * {@link SnapshotJob}: FHIR system, project, the demo mappings, N MRNs of the sandbox's cohort, fetch, archive).</li>
 * </ul>
 * Usage (through bench/resource-benchmark, which builds the images' OCI copies and names the podman command):
 * {@code ResourceBenchmark MRNS OUTPUT_DIR}; system properties {@code bench.podman} (the podman command and its
 * global options) and {@code bench.image-prefix} (image name before the service's module name).
 */
public final class ResourceBenchmark {

    private static final List<Service> START_ORDER = List.of(Service.CONFIG, Service.MRN, Service.SYNC,
            Service.ARCHIVE, Service.FETCH_WORKER, Service.CONSOLE);
    /** Each container's memory limit: the JVM sizes its heap from it (MaxRAMPercentage in the image). */
    private static final String MEMORY_LIMIT = System.getProperty("bench.memory-limit", "1g");
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int REST_SAMPLES = 20;
    private static final Pattern STARTED_IN = Pattern.compile("started in ([0-9.]+)s");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final double MB = 1024 * 1024;

    private final List<String> podman = Arrays.asList(System.getProperty("bench.podman", "podman").split("\\s+"));
    private final String imagePrefix = System.getProperty("bench.image-prefix", "localhost/fhir-snapshot/");
    private final String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private final Map<Service, Container> containers = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
    private volatile String phase = "start";
    private String loadBefore = "?";
    private String loadAfter = "?";

    /** One service's container and its figures. */
    private static final class Container {
        final Service service;
        final String name;
        final int port;
        long pid;
        double processToReady = Double.NaN;
        double runToReady = Double.NaN;
        String startedIn = "?";
        final List<double[]> rest = Collections.synchronizedList(new ArrayList<>());
        final List<double[]> load = Collections.synchronizedList(new ArrayList<>());
        long cpuTicksBeforeLoad;
        long cpuTicksAfterLoad;

        Container(Service service, String name, int port) {
            this.service = service;
            this.name = name;
            this.port = port;
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    public static void main(String[] args) throws Exception {
        int mrns = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path output = Path.of(args.length > 1 ? args[1] : "bench/target/resource-benchmark");
        new ResourceBenchmark().run(mrns, output);
        System.exit(0);
    }

    private void run(int mrnCount, Path output) throws Exception {
        Files.createDirectories(output);
        Path work = Files.createTempDirectory("fhir-snapshot-resources");
        Path payloads = work.resolve("payloads");
        Files.createDirectories(payloads);
        // The containers run as uid 185, group 0: the shared payload volume must be theirs, as an fsGroup makes it.
        shell(List.of("chown", "185:0", payloads.toString()));
        LocalTokens tokens = LocalTokens.loadOrCreate(work);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (PostgresServer postgres = PostgresServer.start(work.resolve("postgres"), 0);
                KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), 0);
                FhirSandbox sandbox = FhirSandbox.start(0, SandboxCohort.demo(mrnCount))) {
            Map<Service, String> urls = new LinkedHashMap<>();
            for (Service service : START_ORDER) {
                Container container = new Container(service, "fhir-snapshot-bench-" + runId + "-" + service.module(),
                        FreePorts.next());
                containers.put(service, container);
                urls.put(service, container.url());
            }
            try {
                for (Service service : START_ORDER) {
                    Map<String, String> properties = new LinkedHashMap<>();
                    if (service == Service.CONSOLE) {
                        // No identity provider runs here: the console starts against an issuer nobody answers on,
                        // so its login cannot work, but its process, memory and readiness can be measured.
                        properties.putAll(ServiceProperties.console(urls, "http://127.0.0.1:" + FreePorts.next()
                                + "/realms/none", "console", "bench-secret"));
                    } else {
                        properties.putAll(ServiceProperties.of(service, postgres, kafka.bootstrapServers(), urls,
                                payloads));
                        properties.putAll(ServiceProperties.localOidc(tokens.privateKeyPem()));
                        // The shared payload volume, mounted at /payloads in every container.
                        properties.put("fhir-snapshot.payload-store.directory", "/payloads");
                    }
                    start(containers.get(service), properties, payloads, output);
                }
                sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
                System.out.printf("All started; %d s of quiet, then %d s at rest%n", SETTLE.toSeconds(), REST_SAMPLES);
                phase = "settle";
                LockSupport.parkNanos(SETTLE.toNanos());
                phase = "rest";
                LockSupport.parkNanos(Duration.ofSeconds(REST_SAMPLES).toNanos());
                containers.values().forEach(c -> c.cpuTicksBeforeLoad = cpuTicks(c.pid));
                phase = "load";
                Instant loadStart = Instant.now();
                loadBefore = loadAverage();
                SnapshotRequest request = new SnapshotRequest(sandbox.baseUrl(), SandboxCohort.MRN_SYSTEM,
                        sandbox.cohort().demoMrns(), SnapshotRequest.DEMO_MAPPINGS, work.resolve("snapshot.zip"));
                SnapshotSummary summary = new SnapshotJob(urls, new ApiClient(tokens.launcherAdminTokens()),
                        System.out).run(request, SnapshotJob.SANDBOX_LIMITS);
                double loadSeconds = Duration.between(loadStart, Instant.now()).toMillis() / 1000.0;
                phase = "after";
                loadAfter = loadAverage();
                containers.values().forEach(c -> c.cpuTicksAfterLoad = cpuTicks(c.pid));
                sampler.shutdown();
                sampler.awaitTermination(5, TimeUnit.SECONDS);
                System.out.print(summary.render());
                report(mrnCount, request.mappings().size(), loadSeconds, output);
            } finally {
                sampler.shutdownNow();
                for (Container container : containers.values()) {
                    saveLogs(container, output);
                    podman(List.of("rm", "-f", "-t", "10", container.name), true);
                }
            }
        } finally {
            shell(List.of("rm", "-rf", work.toString()));
        }
    }

    private void start(Container container, Map<String, String> properties, Path payloads, Path output) {
        List<String> command = new ArrayList<>(List.of("run", "-d", "--name", container.name, "--network=host",
                "--memory", MEMORY_LIMIT, "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096", "-v",
                payloads + ":/payloads", "-e", "QUARKUS_HTTP_PORT=" + container.port));
        Map<String, String> environment = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            // As a Deployment would: every setting an environment variable; the values stay off the command line
            // (-e NAME takes the value from podman's own environment).
            String variable = ServiceProperties.environmentVariable(key);
            environment.put(variable, value);
            command.addAll(List.of("-e", variable));
        });
        command.add(imagePrefix + container.service.module() + ":bench");
        long runStart = System.nanoTime();
        podman(command, false, environment);
        container.pid = Long.parseLong(podman(List.of("inspect", "--format", "{{.State.Pid}}", container.name),
                false).trim());
        double processStart = processStartEpochSeconds(container.pid);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!ready(container) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        double now = Instant.now().toEpochMilli() / 1000.0;
        String logs = podman(List.of("logs", container.name), true);
        Matcher started = STARTED_IN.matcher(logs);
        container.startedIn = started.find() ? started.group(1) : "?";
        if (ready(container)) {
            container.processToReady = now - processStart;
            container.runToReady = (System.nanoTime() - runStart) / 1e9;
            System.out.printf("%-16s ready: %.2f s from JVM start (%.2f s from podman run; Quarkus: started in %s s)%n",
                    container.service.module(), container.processToReady, container.runToReady, container.startedIn);
        } else {
            System.out.printf("%-16s NOT ready within 120 s (Quarkus: started in %s s); its logs go to %s%n",
                    container.service.module(), container.startedIn, output);
        }
    }

    private static boolean ready(Container container) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(container.url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void sample() {
        for (Container container : containers.values()) {
            double rss = rssMb(container.pid);
            double heap = heapUsedMb(container);
            samples.add(String.format(Locale.ROOT, "%d,%s,%s,%.1f,%.1f", Instant.now().getEpochSecond(), phase,
                    container.service.module(), rss, heap));
            if ("rest".equals(phase)) {
                container.rest.add(new double[]{rss, heap});
            } else if ("load".equals(phase)) {
                container.load.add(new double[]{rss, heap});
            }
        }
    }

    private static double rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // The process has gone: no sample.
        }
        return Double.NaN;
    }

    private static double heapUsedMb(Container container) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(container.url() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() / MB;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    private static long cpuTicks(long pid) {
        String[] fields = statFields(pid);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The process's start, from its start time in clock ticks after boot (field 22) and the boot time. */
    private static double processStartEpochSeconds(long pid) {
        long startTicks = Long.parseLong(statFields(pid)[19]);
        long bootTime = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("btime ")) {
                    bootTime = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bootTime + startTicks / 100.0; // USER_HZ is 100 on Linux
    }

    /** The fields of /proc/PID/stat after the command name (field 3 onwards), so index 0 is field 3. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private void report(int mrns, int mappings, double loadSeconds, Path output) throws IOException {
        Files.write(output.resolve("samples.csv"), (String.join("\n", List.of("epoch,phase,service,rss_mb,heap_mb"))
                + "\n" + String.join("\n", samples) + "\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Load: %d MRNs x %d mappings (%d instances), snapshot through the APIs "
                + "in %.1f s; memory limit per container %s; load average (1 min) %s before, %s after the load "
                + "(2 cores, other work on the machine included).%n%n", mrns, mappings, mrns * mappings, loadSeconds,
                MEMORY_LIMIT, loadBefore, loadAfter));
        md.append("| service | JVM start → ready (s) | podman run → ready (s) | Quarkus \"started in\" (s) "
                + "| RSS at rest (MB, median) | heap at rest (MB, median) | RSS under load (MB, peak) "
                + "| heap under load (MB, peak) | CPU under load (s) |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Container c : containers.values()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f |%n",
                    c.service.module(), figure(c.processToReady, "%.2f"), figure(c.runToReady, "%.2f"), c.startedIn,
                    figure(median(c.rest, 0), "%.0f"), figure(median(c.rest, 1), "%.0f"),
                    figure(max(c.load, 0), "%.0f"), figure(max(c.load, 1), "%.0f"),
                    (c.cpuTicksAfterLoad - c.cpuTicksBeforeLoad) / 100.0));
        }
        Files.writeString(output.resolve("figures.md"), md);
        System.out.print(md);
        System.out.println("Samples: " + output.resolve("samples.csv") + "; table: " + output.resolve("figures.md"));
    }

    /** The figure, or "not ready" / "–" where it could not be measured. */
    private static String figure(double value, String format) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
    }

    private static double median(List<double[]> values, int index) {
        double[] sorted = values.stream().mapToDouble(v -> v[index]).filter(v -> !Double.isNaN(v)).sorted()
                .toArray();
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    private static double max(List<double[]> values, int index) {
        return values.stream().mapToDouble(v -> v[index]).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    }

    private void saveLogs(Container container, Path output) {
        try {
            Files.writeString(output.resolve(container.service.module() + ".log"),
                    podman(List.of("logs", container.name), true));
        } catch (IOException | RuntimeException e) {
            System.err.println("no logs of " + container.name + ": " + e.getMessage());
        }
    }

    private String podman(List<String> arguments, boolean ignoreFailure) {
        return podman(arguments, ignoreFailure, Map.of());
    }

    private String podman(List<String> arguments, boolean ignoreFailure, Map<String, String> environment) {
        List<String> command = new ArrayList<>(podman);
        command.addAll(arguments);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0 && !ignoreFailure) {
                throw new IllegalStateException(String.join(" ", arguments.subList(0, 1)) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void shell(List<String> command) throws IOException, InterruptedException {
        if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException(command + " failed");
        }
    }
}
