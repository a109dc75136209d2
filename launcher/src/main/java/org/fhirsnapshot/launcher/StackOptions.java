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
 */
public record StackOptions(Path dataDirectory, boolean fresh, Map<Service, Integer> servicePorts, int sandboxPort,
        int kafkaPort, int postgresPort, int fetchWorkers) {

    /** Every port of api.md: services 8081 to 8085, the sandbox on 8090. */
    public static Map<Service, Integer> defaultPorts() {
        return Map.of(Service.CONFIG, 8081, Service.MRN, 8082, Service.SYNC, 8083, Service.ARCHIVE, 8084,
                Service.FETCH_WORKER, 8085);
    }

    /** Any free ports, for runs that must not collide with a stack already up. */
    public static Map<Service, Integer> anyPorts() {
        return Map.of(Service.CONFIG, 0, Service.MRN, 0, Service.SYNC, 0, Service.ARCHIVE, 0, Service.FETCH_WORKER, 0);
    }
}
