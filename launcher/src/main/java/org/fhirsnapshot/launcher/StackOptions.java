package org.fhirsnapshot.launcher;

import java.nio.file.Path;
import java.util.Map;
import org.fhirsnapshot.infra.Service;

/**
 * How to start the local stack.
 *
 * @param dataDirectory where PostgreSQL, Kafka, payloads and logs live
 * @param fresh whether to wipe {@code dataDirectory} first
 * @param servicePorts the HTTP port of each service (0 for any free port)
 * @param sandboxPort the FHIR sandbox's port (0 for any free port); negative: no sandbox
 * @param kafkaPort Kafka's port (0 for any free port)
 * @param postgresPort PostgreSQL's port (0 for any free port)
 * @param fetchWorkers how many fetch-worker processes to run
 * @param extraProperties more system properties ({@code -D}) per service, such as shorter schedules for a test;
 *        empty for the launcher
 * @param pinBuilds whether each service runs from a copy of its build (hard links under {@code dataDirectory}) taken
 *        at start, so that rebuilding a module while the stack runs changes neither the running process nor the one
 *        the supervisor restarts; false for the launcher, which runs the builds in place
 * @param sandboxMrns the size of the sandbox's cohort ({@code SandboxCohort.demo(sandboxMrns)}): 60 is the demo
 * @param identityProvider who issues the bearer tokens the services trust: {@link IdentityProvider#LOCAL_KEY} (a key
 *        in {@code dataDirectory}) unless said otherwise
 * @param keycloakPort Keycloak's HTTP port with {@link IdentityProvider#KEYCLOAK} (0 for any free port); unused
 *        otherwise
 */
public record StackOptions(Path dataDirectory, boolean fresh, Map<Service, Integer> servicePorts, int sandboxPort,
        int kafkaPort, int postgresPort, int fetchWorkers, Map<Service, Map<String, String>> extraProperties,
        boolean pinBuilds, int sandboxMrns, IdentityProvider identityProvider, int keycloakPort) {

    /** The demo cohort's size. */
    public static final int DEMO_MRNS = 60;

    public StackOptions {
        extraProperties = Map.copyOf(extraProperties);
        if (sandboxMrns < 1 || sandboxMrns > 999_999) {
            throw new IllegalArgumentException("the sandbox's cohort has 1 to 999999 MRNs, not " + sandboxMrns);
        }
        if (identityProvider == null) {
            throw new IllegalArgumentException("an identity provider is needed (IdentityProvider.LOCAL_KEY)");
        }
        if (keycloakPort < 0 || keycloakPort > 65_535) {
            throw new IllegalArgumentException("Keycloak's port is 0 (any free port) to 65535, not " + keycloakPort);
        }
    }

    /** Options with this identity provider; Keycloak, if that is the provider, on any free port. */
    public StackOptions(Path dataDirectory, boolean fresh, Map<Service, Integer> servicePorts, int sandboxPort,
            int kafkaPort, int postgresPort, int fetchWorkers, Map<Service, Map<String, String>> extraProperties,
            boolean pinBuilds, int sandboxMrns, IdentityProvider identityProvider) {
        this(dataDirectory, fresh, servicePorts, sandboxPort, kafkaPort, postgresPort, fetchWorkers, extraProperties,
                pinBuilds, sandboxMrns, identityProvider, 0);
    }

    /** Options whose services trust the local key of {@code dataDirectory}. */
    public StackOptions(Path dataDirectory, boolean fresh, Map<Service, Integer> servicePorts, int sandboxPort,
            int kafkaPort, int postgresPort, int fetchWorkers, Map<Service, Map<String, String>> extraProperties,
            boolean pinBuilds, int sandboxMrns) {
        this(dataDirectory, fresh, servicePorts, sandboxPort, kafkaPort, postgresPort, fetchWorkers, extraProperties,
                pinBuilds, sandboxMrns, IdentityProvider.LOCAL_KEY);
    }

    /** Options whose sandbox serves the demo cohort. */
    public StackOptions(Path dataDirectory, boolean fresh, Map<Service, Integer> servicePorts, int sandboxPort,
            int kafkaPort, int postgresPort, int fetchWorkers, Map<Service, Map<String, String>> extraProperties,
            boolean pinBuilds) {
        this(dataDirectory, fresh, servicePorts, sandboxPort, kafkaPort, postgresPort, fetchWorkers, extraProperties,
                pinBuilds, DEMO_MRNS);
    }

    /** Options without extra properties (every service runs with its own defaults), builds run in place. */
    public StackOptions(Path dataDirectory, boolean fresh, Map<Service, Integer> servicePorts, int sandboxPort,
            int kafkaPort, int postgresPort, int fetchWorkers) {
        this(dataDirectory, fresh, servicePorts, sandboxPort, kafkaPort, postgresPort, fetchWorkers, Map.of(), false);
    }

    /** These options with another identity provider. */
    public StackOptions withIdentityProvider(IdentityProvider provider) {
        return new StackOptions(dataDirectory, fresh, servicePorts, sandboxPort, kafkaPort, postgresPort, fetchWorkers,
                extraProperties, pinBuilds, sandboxMrns, provider, keycloakPort);
    }

    /** These options with Keycloak on {@code port} (0 for any free port). */
    public StackOptions withKeycloakPort(int port) {
        return new StackOptions(dataDirectory, fresh, servicePorts, sandboxPort, kafkaPort, postgresPort, fetchWorkers,
                extraProperties, pinBuilds, sandboxMrns, identityProvider, port);
    }

    /** Every port of api.md: the console on 8080, services 8081 to 8085, the sandbox on 8090. */
    public static Map<Service, Integer> defaultPorts() {
        return Map.of(Service.CONSOLE, 8080, Service.CONFIG, 8081, Service.MRN, 8082, Service.SYNC, 8083,
                Service.ARCHIVE, 8084, Service.FETCH_WORKER, 8085);
    }

    /** Any free ports, for runs that must not collide with a stack already up. */
    public static Map<Service, Integer> anyPorts() {
        return Map.of(Service.CONSOLE, 0, Service.CONFIG, 0, Service.MRN, 0, Service.SYNC, 0, Service.ARCHIVE, 0,
                Service.FETCH_WORKER, 0);
    }
}
