package org.fhirsnapshot.fetch;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who this worker is when it claims instances: host name (the pod's name on Kubernetes) and process id. Created at
 * startup, because looking up the host name may block and must not happen on the event loop.
 */
@Startup
@ApplicationScoped
public class WorkerIdentity {

    private final String id;

    public WorkerIdentity() {
        this.id = hostName() + "-" + ProcessHandle.current().pid();
    }

    public String id() {
        return id;
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
