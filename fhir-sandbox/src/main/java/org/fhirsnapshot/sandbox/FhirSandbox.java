package org.fhirsnapshot.sandbox;

import java.security.PublicKey;
import java.time.Clock;
import java.util.EnumSet;

import jakarta.servlet.DispatcherType;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import com.fasterxml.jackson.databind.ObjectMapper;

import ca.uhn.fhir.context.FhirContext;

/**
 * A HAPI FHIR R4 server with synthetic patients and Epic-like behaviour, in Jetty on the loopback interface.
 * In the JVM: {@code try (FhirSandbox sandbox = FhirSandbox.start(0)) { … sandbox.baseUrl() … }}. As a process:
 * {@code java -cp … org.fhirsnapshot.sandbox.FhirSandbox --port 8090 [--mrns 300]}.
 */
public final class FhirSandbox implements AutoCloseable {

    public static final int DEFAULT_PORT = 8090;
    static final String READY_LINE_PREFIX = "FHIR sandbox ready at ";

    private static final String LOOPBACK = "127.0.0.1";
    private static final int MAX_THREADS = 64;
    private static final int MIN_THREADS = 4;

    private final Server server;
    private final int port;
    private final SandboxCohort cohort;
    private final RequestCounters counters;
    private final FaultInjector faults;
    private final SmartBackendServer smart;

    private FhirSandbox(Server server, int port, SandboxCohort cohort, RequestCounters counters,
            FaultInjector faults, SmartBackendServer smart) {
        this.server = server;
        this.port = port;
        this.cohort = cohort;
        this.counters = counters;
        this.faults = faults;
        this.smart = smart;
    }

    /** Starts a sandbox with the demo cohort on {@code port} of 127.0.0.1; 0 picks a free port. */
    public static FhirSandbox start(int port) {
        return start(port, SandboxCohort.demo());
    }

    /** Starts a sandbox serving {@code cohort} on {@code port} of 127.0.0.1; 0 picks a free port. */
    public static FhirSandbox start(int port, SandboxCohort cohort) {
        RequestCounters counters = new RequestCounters();
        FaultInjector faults = new FaultInjector(counters);
        SmartBackendServer smart = new SmartBackendServer(counters, Clock.systemUTC());
        ObjectMapper objectMapper = new ObjectMapper();
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("fhir-sandbox");
        // Daemon threads: a test that forgets close() does not keep its JVM alive; main() joins the server.
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(LOOPBACK);
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        ServletHolder fhir = new ServletHolder("fhir",
                new SandboxRestfulServer(FhirContext.forR4Cached(), cohort, counters, faults));
        fhir.setInitOrder(1);
        context.addServlet(fhir, "/fhir/*");
        context.addFilter(new FilterHolder(new SmartAuthorizationFilter(smart, counters, objectMapper)), "/fhir/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder("sandbox", new SandboxEndpointServlet(cohort, counters, faults, smart,
                objectMapper)), "/sandbox/*");
        server.setHandler(context);
        try {
            server.start();
            if (!context.isAvailable()) {
                throw new IllegalStateException("The sandbox servlets are unavailable after start");
            }
        } catch (Exception e) {
            stopQuietly(server, e);
            throw new IllegalStateException("Could not start the FHIR sandbox on " + LOOPBACK + ":" + port, e);
        }
        return new FhirSandbox(server, connector.getLocalPort(), cohort, counters, faults, smart);
    }

    /** The FHIR base URL, such as {@code http://127.0.0.1:8090/fhir}. */
    public String baseUrl() {
        return rootUrl() + "/fhir";
    }

    /** The server's root, under which {@code /fhir} and {@code /sandbox/…} live. */
    public String rootUrl() {
        return "http://" + LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    public SandboxCohort cohort() {
        return cohort;
    }

    /** What the FHIR endpoint has served so far (also at {@code /sandbox/stats}). */
    public SandboxStats stats() {
        return counters.snapshot();
    }

    /**
     * How the sandbox misbehaves (also at {@code /sandbox/faults}): {@code sandbox.faults().set(SandboxFaults.none()
     * .withRateLimitPerSecond(5))}, {@code sandbox.faults().reset()}.
     */
    public FaultInjector faults() {
        return faults;
    }

    /**
     * Requires SMART Backend Services on {@code /fhir} (metadata and {@code .well-known/smart-configuration} stay
     * public): tokens from {@code {root}/sandbox/oauth/token} for {@code clientId}, whose client assertions
     * {@code publicKey} verifies, valid {@code tokenLifetimeSeconds}. Also {@code POST /sandbox/smart-backend}.
     */
    public void requireSmartBackend(String clientId, PublicKey publicKey, int tokenLifetimeSeconds) {
        smart.require(clientId, publicKey, tokenLifetimeSeconds);
    }

    /** As {@link #requireSmartBackend(String, PublicKey, int)} with the public key as a JWK (JSON). */
    public void requireSmartBackend(String clientId, String publicJwk, int tokenLifetimeSeconds) {
        smart.require(clientId, publicJwk, tokenLifetimeSeconds);
    }

    /**
     * Requires a token on {@code /fhir} from {@code {root}/sandbox/oauth/token} for {@code clientId}, which
     * authenticates with HTTP Basic and {@code secret} (the {@code client-secret} auth type), valid
     * {@code tokenLifetimeSeconds}.
     */
    public void requireClientSecret(String clientId, String secret, int tokenLifetimeSeconds) {
        smart.requireClientSecret(clientId, secret, tokenLifetimeSeconds);
    }

    /** No authorization on {@code /fhir} any more (the default). */
    public void disableSmartBackend() {
        smart.disable();
    }

    /** The SMART token endpoint, {@code {root}/sandbox/oauth/token}. */
    public String tokenEndpoint() {
        return rootUrl() + SmartAuthorizationFilter.TOKEN_PATH;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the FHIR sandbox on port " + port, e);
        }
    }

    /**
     * {@code --port N} (default 8090; 0 picks a free port) and {@code --mrns N} (the size of the demo cohort,
     * {@link SandboxCohort#demo(int)}; default 60, the demo). Prints the ready line, then serves until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        CommandLine options;
        try {
            options = CommandLine.of(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("Usage: FhirSandbox [--port N] [--mrns N]");
            System.exit(2);
            return;
        }
        FhirSandbox sandbox = start(options.port(), options.mrns() == DemoCohortGenerator.MRN_COUNT
                ? SandboxCohort.demo()
                : SandboxCohort.demo(options.mrns()));
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "fhir-sandbox-shutdown"));
        System.out.println(READY_LINE_PREFIX + sandbox.baseUrl());
        System.out.flush();
        sandbox.server.join();
    }

    /** The process's options: {@code --port N} (or {@code --port=N}) and {@code --mrns N} (or {@code --mrns=N}). */
    record CommandLine(int port, int mrns) {

        static CommandLine of(String[] args) {
            int port = DEFAULT_PORT;
            int mrns = DemoCohortGenerator.MRN_COUNT;
            for (int i = 0; i < args.length; i++) {
                String name;
                String value;
                if ((args[i].equals("--port") || args[i].equals("--mrns")) && i + 1 < args.length) {
                    name = args[i];
                    value = args[++i];
                } else if (args[i].startsWith("--port=") || args[i].startsWith("--mrns=")) {
                    name = args[i].substring(0, args[i].indexOf('='));
                    value = args[i].substring(args[i].indexOf('=') + 1);
                } else {
                    throw new IllegalArgumentException("Unknown argument: " + args[i]);
                }
                if (name.equals("--port")) {
                    port = number(value, 0, 65_535, "Not a port: ");
                } else {
                    mrns = number(value, 1, DemoCohortGenerator.MAX_MRN_COUNT, "Not an MRN count (1 to "
                            + DemoCohortGenerator.MAX_MRN_COUNT + "): ");
                }
            }
            return new CommandLine(port, mrns);
        }

        private static int number(String value, int min, int max, String error) {
            int number;
            try {
                number = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(error + value, e);
            }
            if (number < min || number > max) {
                throw new IllegalArgumentException(error + value);
            }
            return number;
        }
    }

    private static void stopQuietly(Server server, Exception cause) {
        try {
            server.stop();
        } catch (Exception stopFailure) {
            cause.addSuppressed(stopFailure);
        }
    }
}
