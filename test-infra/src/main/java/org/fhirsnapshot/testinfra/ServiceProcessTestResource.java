package org.fhirsnapshot.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.infra.ServiceProperties;

/**
 * Starts sibling services as real processes from their built jars, against the test JVM's Kafka and PostgreSQL,
 * and points the service under test at them. Init arg {@code services}: modules in start order, comma separated
 * (for example {@code config-service,mrn-service}). Sets {@code quarkus.rest-client.<module>.url} for each and
 * {@code fhir-snapshot.payload-store.directory} to a directory the processes share with the test.
 *
 * <p>
 * The processes trust the test key ({@link TestTokens}) unless init arg {@code oidc} names a class with a public
 * no-argument constructor that implements {@code Supplier<Map<String, String>>}: its properties then replace the test
 * key's, for example to make the services trust a real Keycloak ({@code KeycloakServer#serviceProperties()}). Secret
 * keys among them travel in the environment as always ({@code ServiceProperties#isSecret}). The first test resource
 * to start a service decides whom it trusts: the processes live as long as the test JVM.
 */
public class ServiceProcessTestResource implements QuarkusTestResourceLifecycleManager {

    private static final Map<Service, ServiceProcess> RUNNING = new EnumMap<>(Service.class);
    private static Path runDir;
    private static Path payloadDirectory;

    private List<Service> services = List.of();
    private Supplier<Map<String, String>> oidc = () -> ServiceProperties.localOidc(TestTokens.testKeyPem());

    @Override
    public void init(Map<String, String> initArgs) {
        services = Arrays.stream(initArgs.getOrDefault("services", "").split(",")).filter(s -> !s.isBlank())
                .map(Service::ofModule).toList();
        String oidcSupplier = initArgs.get("oidc");
        if (oidcSupplier != null && !oidcSupplier.isBlank()) {
            oidc = instantiate(oidcSupplier.trim());
        }
    }

    @SuppressWarnings("unchecked")
    private static Supplier<Map<String, String>> instantiate(String className) {
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            return (Supplier<Map<String, String>>) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException("init arg oidc: " + className
                    + " must be a Supplier<Map<String, String>> with a public no-argument constructor", e);
        }
    }

    /** A running sibling service, for tests that kill or restart it. */
    public static synchronized ServiceProcess process(Service service) {
        ServiceProcess process = RUNNING.get(service);
        if (process == null) {
            throw new IllegalStateException(service.module() + " was not started by this test resource");
        }
        return process;
    }

    /** The payload store directory that the started services and the test share. */
    public static synchronized Path payloadDirectory() {
        if (payloadDirectory == null) {
            payloadDirectory = runDir().resolve("payloads");
        }
        return payloadDirectory;
    }

    private static synchronized Path runDir() {
        if (runDir == null) {
            try {
                runDir = Files.createTempDirectory("fhir-snapshot-services");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return runDir;
    }

    @Override
    public synchronized Map<String, String> start() {
        Path root = Service.repositoryRoot();
        String kafka = KafkaTestResource.broker().bootstrapServers();
        Map<Service, String> urls = new EnumMap<>(Service.class);
        RUNNING.forEach((service, process) -> urls.put(service, process.url()));
        for (Service service : services) {
            if (!RUNNING.containsKey(service)) {
                Map<String, String> properties = ServiceProperties.of(service, PostgresTestResource.server(), kafka,
                        urls, payloadDirectory());
                properties.putAll(oidc.get());
                ServiceProcess process = ServiceProcess.start(service, root, FreePorts.next(), properties, runDir(),
                        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
                RUNNING.put(service, process);
            }
            urls.put(service, RUNNING.get(service).url());
        }
        Map<String, String> config = new HashMap<>();
        urls.forEach((service, url) -> config.put("quarkus.rest-client." + service.module() + ".url", url));
        config.put("fhir-snapshot.payload-store.directory", payloadDirectory().toString());
        return config;
    }

    @Override
    public void stop() {
        // The processes live as long as the test JVM; ChildProcess's shutdown hooks end them.
    }
}
