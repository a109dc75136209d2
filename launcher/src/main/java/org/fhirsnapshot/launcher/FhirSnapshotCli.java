package org.fhirsnapshot.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.sandbox.SandboxCohort;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./fhir-snapshot}: the local stack and the snapshot job. */
@Command(name = "fhir-snapshot", mixinStandardHelpOptions = true, subcommands = {FhirSnapshotCli.Run.class,
        FhirSnapshotCli.Up.class,
        FhirSnapshotCli.Token.class}, description = "Pull unaltered FHIR data for a cohort of MRNs and stream it as a ZIP.")
public final class FhirSnapshotCli implements Runnable {

    public static void main(String[] args) {
        int exit = new CommandLine(new FhirSnapshotCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(exit);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Start the local stack, snapshot a cohort (the sandbox's demo cohort by default), "
            + "write the ZIP, print a summary and stop.")
    static final class Run implements Callable<Integer> {

        @Option(names = "--fhir-base", description = "FHIR base URL to snapshot from (default: the built-in sandbox)")
        String fhirBase;

        @Option(names = "--identifier-system", description = "MRN identifier system (default with the sandbox: its MRN system; otherwise MRNs are "
                + "Patient ids)")
        String identifierSystem;

        @Option(names = "--mrns", description = "file with one MRN a line (default: the sandbox's demo cohort)")
        Path mrnsFile;

        @Option(names = "--mapping", description = "catalog key or custom search, repeatable (default: "
                + "demographics, vital-signs, laboratory, problem-list, medications, "
                + "Observation?category=social-history)")
        List<String> mappings = new ArrayList<>();

        @Option(names = "--out", description = "where to write the ZIP (default: ${DEFAULT-VALUE})", defaultValue = "snapshot.zip")
        Path out;

        @Option(names = "--data", description = "working directory of this run, wiped first (default: "
                + "${DEFAULT-VALUE})", defaultValue = ".fhir-snapshot/run")
        Path data;

        @Option(names = "--workers", description = "fetch-worker processes (default: ${DEFAULT-VALUE})", defaultValue = "1")
        int workers;

        @Option(names = "--sandbox-mrns", description = "size of the sandbox's cohort: the demo's pattern repeated, "
                + "without more heavy charts (default: ${DEFAULT-VALUE}, the demo)", defaultValue = "60")
        int sandboxMrns;

        @Override
        public Integer call() {
            if (fhirBase != null && mrnsFile == null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--fhir-base needs --mrns: the demo cohort exists only in the sandbox");
            }
            checkSandboxMrns(this, sandboxMrns);
            List<String> mrnsOfFile = mrnsFile == null ? null : readMrns(mrnsFile);
            StackOptions options = new StackOptions(data, true, StackOptions.anyPorts(), fhirBase == null ? 0 : -1, 0,
                    0, workers, Map.of(), false, sandboxMrns);
            System.out.println("Starting the local stack (first start takes a minute)...");
            try (LocalStack stack = LocalStack.start(options, (part, endpoint) -> System.out.printf("  %-16s %s%n",
                    part, endpoint))) {
                String base = fhirBase != null ? fhirBase : stack.sandbox().baseUrl();
                List<String> mrns = mrnsOfFile != null ? mrnsOfFile : stack.sandbox().cohort().demoMrns();
                String system = identifierSystem != null
                        ? identifierSystem
                        : fhirBase == null ? SandboxCohort.MRN_SYSTEM : null;
                SnapshotRequest request = new SnapshotRequest(base, system, mrns,
                        mappings.isEmpty() ? SnapshotRequest.DEMO_MAPPINGS : mappings, out);
                // The built-in sandbox takes the demo's pace (SANDBOX_LIMITS says why); another server, config-service's
                // defaults, which suit a real EHR.
                SnapshotSummary summary = new SnapshotJob(urls(stack), System.out).run(request,
                        fhirBase == null ? SnapshotJob.SANDBOX_LIMITS : null);
                System.out.print(summary.render());
                System.out.println("Stopping the local stack...");
            }
            return 0;
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the local stack in the foreground and print its endpoints; Ctrl-C stops it.")
    static final class Up implements Callable<Integer> {

        @Option(names = "--data", description = "data directory, kept between runs (default: ${DEFAULT-VALUE})", defaultValue = ".fhir-snapshot")
        Path data;

        @Option(names = "--fresh", description = "wipe the data directory first")
        boolean fresh;

        @Option(names = "--port", description = "SERVICE=PORT, repeatable, e.g. --port mrn-service=9082 "
                + "--port fhir-sandbox=9090")
        Map<String, Integer> ports = Map.of();

        @Option(names = "--workers", description = "fetch-worker processes (default: ${DEFAULT-VALUE})", defaultValue = "1")
        int workers;

        @Option(names = "--sandbox-mrns", description = "size of the sandbox's cohort: the demo's pattern repeated, "
                + "without more heavy charts (default: ${DEFAULT-VALUE}, the demo)", defaultValue = "60")
        int sandboxMrns;

        @Override
        public Integer call() throws InterruptedException {
            checkSandboxMrns(this, sandboxMrns);
            Map<Service, Integer> servicePorts = new EnumMap<>(StackOptions.defaultPorts());
            int sandboxPort = 8090;
            for (Map.Entry<String, Integer> port : ports.entrySet()) {
                if (port.getKey().equals("fhir-sandbox")) {
                    sandboxPort = port.getValue();
                } else {
                    servicePorts.put(Service.ofModule(port.getKey()), port.getValue());
                }
            }
            StackOptions options = new StackOptions(data.resolve("stack"), fresh, servicePorts, sandboxPort, 0, 0,
                    workers, Map.of(), false, sandboxMrns);
            LocalStack stack = LocalStack.start(options, (part, endpoint) -> System.out.printf("  %-16s %s%n", part,
                    endpoint));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("\nStopping the local stack...");
                stack.close();
                stopped.countDown();
            }, "stop-stack"));
            System.out.printf("FHIR Snapshot is up. Data in %s. Ctrl-C stops it.%n", data.toAbsolutePath());
            stopped.await();
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Print a bearer token for the local stack (once the APIs require OIDC).")
    static final class Token implements Callable<Integer> {

        @Option(names = "--role", required = true, description = "admin, reader, exporter or manager")
        String role;

        @Option(names = "--project", description = "project key, for project roles")
        String project;

        @Override
        public Integer call() {
            System.err.println("The APIs of this version do not require a token yet: call them without one.");
            return 2;
        }
    }

    static Map<Service, String> urls(LocalStack stack) {
        Map<Service, String> urls = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            urls.put(service, stack.url(service));
        }
        return urls;
    }

    /** {@code --sandbox-mrns} must name a cohort the sandbox can build: 1 to 999,999 MRNs. */
    static void checkSandboxMrns(Object command, int sandboxMrns) {
        if (sandboxMrns < 1 || sandboxMrns > 999_999) {
            throw new CommandLine.ParameterException(new CommandLine(command),
                    "--sandbox-mrns must be between 1 and 999999, not " + sandboxMrns);
        }
    }

    static List<String> readMrns(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::trim).filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
