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
import org.fhirsnapshot.infra.FreePorts;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.infra.ServiceProcess;
import org.fhirsnapshot.infra.ServiceProperties;

/**
 * Starts sibling services as real processes from their built jars, against the test JVM's Kafka and PostgreSQL,
 * and points the service under test at them. Init arg {@code services}: modules in start order, comma separated
 * (for example {@code config-service,mrn-service}). Sets {@code quarkus.rest-client.<module>.url} for each and
 * {@code fhir-snapshot.payload-store.directory} to a directory the processes share with the test.
 */
public class ServiceProcessTestResource implements QuarkusTestResourceLifecycleManager {

    private static final Map<Service, ServiceProcess> RUNNING = new EnumMap<>(Service.class);
    private static Path runDir;
    private static Path payloadDirectory;

    private List<Service> services = List.of();

    @Override
    public void init(Map<String, String> initArgs) {
        services = Arrays.stream(initArgs.getOrDefault("services", "").split(",")).filter(s -> !s.isBlank())
                .map(Service::ofModule).toList();
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
                properties.putAll(ServiceProperties.localOidc(TestTokens.testKeyPem()));
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
