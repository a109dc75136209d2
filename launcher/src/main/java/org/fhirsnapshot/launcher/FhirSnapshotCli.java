package org.fhirsnapshot.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fhirsnapshot.infra.KeycloakRealm;
import org.fhirsnapshot.infra.KeycloakServer;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.sandbox.SandboxCohort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code ./fhir-snapshot}: the local stack and the snapshot job. */
@Command(name = "fhir-snapshot", mixinStandardHelpOptions = true, subcommands = {FhirSnapshotCli.Run.class,
        FhirSnapshotCli.Up.class,
        FhirSnapshotCli.Token.class}, description = "Pull unaltered FHIR data for a cohort of MRNs and stream it as a ZIP.")
public final class FhirSnapshotCli implements Runnable {

    /** {@code up}'s (and {@code token}'s) data directory unless {@code --data} says otherwise. */
    static final String DEFAULT_DATA = ".fhir-snapshot";

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, ready to {@code execute}. */
    static CommandLine commandLine() {
        return new CommandLine(new FhirSnapshotCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = {
            "Start the local stack, snapshot a cohort (the sandbox's demo cohort by default), write the ZIP, print a "
                    + "summary and stop.",
            "No Keycloak: the services trust a key made for this run, and the job calls them with tokens signed with it "
                    + "(fast, and no login or token step)."})
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
                // The job calls the APIs with admin tokens signed with this run's local key: no extra step, and the
                // token is never printed.
                SnapshotSummary summary = new SnapshotJob(stack, System.out).run(request,
                        fhirBase == null ? SnapshotJob.SANDBOX_LIMITS : null);
                System.out.print(summary.render());
                System.out.println("Stopping the local stack...");
            }
            return 0;
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = {
            "Start the local stack in the foreground and print its endpoints; Ctrl-C stops it.",
            "A real Keycloak issues the tokens (realm fhir-snapshot: user admin, and a user per role of each project, "
                    + "KEY-reader, KEY-exporter, KEY-manager, password = user name); --no-keycloak trusts a local key "
                    + "instead. Either way ./fhir-snapshot token prints a token."})
    static final class Up implements Callable<Integer> {

        @Option(names = "--data", description = "data directory, kept between runs (default: ${DEFAULT-VALUE})", defaultValue = DEFAULT_DATA)
        Path data;

        @Option(names = "--fresh", description = "wipe the data directory first (Keycloak's database and a new local key "
                + "too: older tokens stop working)")
        boolean fresh;

        @Option(names = "--port", description = "SERVICE=PORT, repeatable, e.g. --port mrn-service=9082 "
                + "--port fhir-sandbox=9090")
        Map<String, Integer> ports = Map.of();

        @Option(names = "--workers", description = "fetch-worker processes (default: ${DEFAULT-VALUE})", defaultValue = "1")
        int workers;

        @Option(names = "--sandbox-mrns", description = "size of the sandbox's cohort: the demo's pattern repeated, "
                + "without more heavy charts (default: ${DEFAULT-VALUE}, the demo)", defaultValue = "60")
        int sandboxMrns;

        @Option(names = "--no-keycloak", description = "no identity provider: the services trust a key kept in the data "
                + "directory, and ./fhir-snapshot token signs tokens with it (a quicker start)")
        boolean noKeycloak;

        @Option(names = "--keycloak-port", paramLabel = "PORT", description = "Keycloak's HTTP port (default: "
                + "${DEFAULT-VALUE}; 0 for any free port)", defaultValue = "8180")
        int keycloakPort;

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
            if (keycloakPort < 0 || keycloakPort > 65_535) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--keycloak-port must be a port (1 to 65535, or 0 for any free one), not " + keycloakPort);
            }
            StackOptions options = new StackOptions(stackDirectory(data), fresh, servicePorts, sandboxPort, 0, 0,
                    workers, Map.of(), false, sandboxMrns, identityProvider(), keycloakPort);
            if (options.identityProvider() == IdentityProvider.KEYCLOAK) {
                System.out.println("Starting the local stack with Keycloak (its first start takes a minute or two; "
                        + "--no-keycloak is quicker)...");
            }
            long startedAt = System.nanoTime();
            LocalStack stack = LocalStack.start(options, (part, endpoint) -> System.out.printf("  %-16s %s%n", part,
                    endpoint));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("\nStopping the local stack...");
                stack.close();
                stopped.countDown();
            }, "stop-stack"));
            System.out.printf("FHIR Snapshot is up (started in %.0f s). Data in %s. Ctrl-C stops it.%n",
                    (System.nanoTime() - startedAt) / 1e9, data.toAbsolutePath());
            System.out.print(howToCall(stack));
            stopped.await();
            return 0;
        }

        /** Keycloak unless {@code --no-keycloak}. */
        IdentityProvider identityProvider() {
            return noKeycloak ? IdentityProvider.LOCAL_KEY : IdentityProvider.KEYCLOAK;
        }

        /**
         * How to get a token and call an API with it (never a token, a password other than the demo users' or a
         * secret: the output may be shared or logged).
         */
        private String howToCall(LocalStack stack) {
            String dataOption = data.normalize().equals(Path.of(DEFAULT_DATA)) ? "" : " --data " + data;
            String configUrl = stack.url(Service.CONFIG);
            KeycloakServer keycloak = stack.keycloak();
            if (keycloak == null) {
                return String.format("%nEvery API needs a bearer token, signed with this stack's local key (roles "
                        + "admin, or reader|exporter|manager with --project KEY):%n"
                        + "  TOKEN=$(./fhir-snapshot token --role admin%s)%n"
                        + "  curl -H \"Authorization: Bearer $TOKEN\" %s/api/projects%n"
                        + "%nNo web console: it logs people in through Keycloak (drop --no-keycloak).%n", dataOption,
                        configUrl);
            }
            Path keycloakData = keycloak.dataDirectory();
            return String.format("%nWeb console: %s (log in as admin / admin, or KEY-manager / KEY-manager)%n",
                    stack.url(Service.CONSOLE))
                    + String.format("%nKeycloak: realm %s, users admin and KEY-reader|exporter|manager of each project "
                            + "(password = user name; project %s from the start, others within seconds of their creation).%n"
                            + "  Admin console %s: user %s, password in %s%n"
                            + "%nEvery API needs a bearer token from Keycloak (valid %s):%n"
                            + "  TOKEN=$(./fhir-snapshot token --role reader --project %s%s)     # or --role admin%n"
                            + "  TOKEN=$(curl -s -d grant_type=password -d client_id=%s -d username=%s-reader "
                            + "-d password=%s-reader %s | jq -r .access_token)%n"
                            + "  curl -H \"Authorization: Bearer $TOKEN\" %s/api/projects%n", KeycloakRealm.NAME,
                            LocalStack.DEMO_PROJECT, keycloak.adminConsoleUrl(), KeycloakServer.ADMIN_CONSOLE_USER,
                            keycloakData.resolve("admin-console.password"), "15 minutes", LocalStack.DEMO_PROJECT,
                            dataOption,
                            KeycloakRealm.CLI_CLIENT, LocalStack.DEMO_PROJECT, LocalStack.DEMO_PROJECT,
                            keycloak.tokenEndpoint(), configUrl);
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = {
            "Print a bearer token for the stack of a data directory (the one ./fhir-snapshot up uses), and nothing "
                    + "else, so that TOKEN=$(./fhir-snapshot token --role admin) works.",
            "With Keycloak (up's default) it logs in as the realm's user for the role: admin, or KEY-reader, "
                    + "KEY-exporter, KEY-manager (password = user name); the token lives as the realm says (15 "
                    + "minutes). With up --no-keycloak it signs one with the stack's local key.",
            "Whoever holds the token may do what its role allows until it expires: keep it out of logs and shared "
                    + "shells."}, exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:the token was printed",
                            "1:no stack in the data directory (start it first), or its Keycloak did not answer or "
                                    + "refused",
                            "2:bad usage (an option is missing or invalid)%n"})
    static final class Token implements Callable<Integer> {

        private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
        private static final Pattern LIFETIME = Pattern.compile("(\\d{1,7})([smhd])");
        private static final Duration MAX_LIFETIME = Duration.ofDays(30);

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, reader, exporter or manager")
        String role;

        @Option(names = "--project", paramLabel = "KEY", description = "the project a reader, exporter or manager "
                + "token is for ([a-z0-9-]{1,64}); admin holds every project")
        String project;

        @Option(names = "--user", paramLabel = "NAME", description = "local key only: who the token names (sub, "
                + "preferred_username; shown in the downloads list) (default: your login name)")
        String user;

        @Option(names = "--lifetime", paramLabel = "DURATION", description = "local key only: how long it is valid: "
                + "90s, 30m, 1h, 7d, up to 30d (default: ${DEFAULT-VALUE})", defaultValue = "1h")
        String lifetime;

        @Option(names = "--data", paramLabel = "DIR", description = "the data directory of ./fhir-snapshot up (default: ${DEFAULT-VALUE})", defaultValue = DEFAULT_DATA)
        Path data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LocalTokens.Role tokenRole = LocalTokens.Role.fromLabel(role).orElseThrow(() -> usage(
                    "--role must be admin, reader, exporter or manager, not '" + role + "'"));
            if (tokenRole.inProject() && project == null) {
                throw usage("--role " + tokenRole.label() + " is a role in one project: add --project KEY");
            }
            if (!tokenRole.inProject() && project != null) {
                throw usage("--role admin holds every project: leave out --project (or use --role reader, exporter "
                        + "or manager)");
            }
            if (project != null && !LocalTokens.PROJECT_KEY.matcher(project).matches()) {
                throw usage("--project must be a project key: 1 to 64 of a-z, 0-9 and -, not '" + project + "'");
            }
            Path stackData = stackDirectory(data);
            Optional<StackIdentity> identity = StackIdentity.read(stackData);
            if (identity.isPresent() && identity.get().provider() == IdentityProvider.KEYCLOAK) {
                return keycloakToken(identity.get().keycloakUrl(), tokenRole);
            }
            String subject = user != null ? user : System.getProperty("user.name", "local-user");
            if (!USER.matcher(subject).matches()) {
                throw usage((user != null ? "--user" : "your login name (give --user NAME)")
                        + " must be 1 to 64 of A-Z, a-z, 0-9 and . _ @ -");
            }
            Duration valid = parseLifetime(lifetime);
            Optional<LocalTokens> tokens = LocalTokens.existing(stackData);
            if (tokens.isEmpty()) {
                spec.commandLine().getErr().printf("No local key in %s: start the stack there first "
                        + "(./fhir-snapshot up%s), which creates it.%n", stackData.toAbsolutePath(),
                        data.normalize().equals(Path.of(DEFAULT_DATA)) ? "" : " --data " + data);
                return 1;
            }
            spec.commandLine().getOut().println(tokens.get().issue(tokenRole, project, subject, valid));
            spec.commandLine().getOut().flush();
            return 0;
        }

        /**
         * Logs in to the stack's Keycloak as the realm's user for the role ({@code admin}, or {@code KEY-ROLE}) with
         * its password (the user name), by the password grant of the public client, as a user's script would.
         */
        private int keycloakToken(String keycloakUrl, LocalTokens.Role tokenRole) {
            CommandLine.ParseResult given = spec.commandLine().getParseResult();
            if (given.hasMatchedOption("--user") || given.hasMatchedOption("--lifetime")) {
                throw usage("this stack's tokens come from Keycloak: a token names the realm's user for the role ("
                        + "admin, or KEY-reader|exporter|manager) and lives as long as the realm says; --user and "
                        + "--lifetime apply to a stack started with --no-keycloak");
            }
            String username = tokenRole.inProject()
                    ? KeycloakRealm.projectUser(project, tokenRole.label())
                    : KeycloakRealm.ADMIN_USER;
            PrintWriter err = spec.commandLine().getErr();
            try {
                spec.commandLine().getOut().println(KeycloakLogin.passwordToken(keycloakUrl, username, username));
                spec.commandLine().getOut().flush();
                return 0;
            } catch (KeycloakLogin.Refused e) {
                err.printf("Keycloak at %s refused user %s (%s).%s%n", keycloakUrl, username, e.getMessage(),
                        tokenRole.inProject()
                                ? " Does project " + project + " exist? While ./fhir-snapshot up runs, each project "
                                        + "gets its users within seconds of its creation."
                                : "");
            } catch (UncheckedIOException e) {
                err.printf("Keycloak does not answer at %s: is ./fhir-snapshot up%s running?%n", keycloakUrl,
                        data.normalize().equals(Path.of(DEFAULT_DATA)) ? "" : " --data " + data);
            }
            err.flush();
            return 1;
        }

        private Duration parseLifetime(String text) {
            Matcher matcher = LIFETIME.matcher(text.trim().toLowerCase(Locale.ROOT));
            Duration parsed = null;
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                parsed = switch (matcher.group(2)) {
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            if (parsed == null || parsed.isZero() || parsed.compareTo(MAX_LIFETIME) > 0) {
                throw usage("--lifetime must be a number and a unit (s, m, h or d), from 1s to 30d, such as 1h, not '"
                        + text + "'");
            }
            return parsed;
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /** Where {@code up} keeps the stack (and its local key) inside {@code --data}. */
    static Path stackDirectory(Path data) {
        return data.resolve("stack");
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
