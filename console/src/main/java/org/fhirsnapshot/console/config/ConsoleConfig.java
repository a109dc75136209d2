package org.fhirsnapshot.console.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where the console forwards the API to, and how it keeps sessions. */
@ConfigMapping(prefix = "fhir-snapshot.console")
public interface ConsoleConfig {

    /** The base URLs of the services behind {@code /api/**}. */
    Services services();

    /** The server-side sessions (the browser holds only a random session id). */
    Session session();

    /** The forwarding of {@code /api/**}. */
    Proxy proxy();

    /**
     * Origins besides the console's own (scheme, host and port of the request) that may send state-changing API calls,
     * e.g. {@code https://snapshot.example.org} when a TLS proxy in front forwards plain HTTP without
     * {@code X-Forwarded-*} headers. Empty by default.
     */
    Optional<List<String>> allowedOrigins();

    /** The services' base URLs. */
    interface Services {

        /** config-service: FHIR systems, catalog, projects, mappings. */
        @WithDefault("http://127.0.0.1:8081")
        URI config();

        /** mrn-service: MRNs, instances, summary, events. */
        @WithDefault("http://127.0.0.1:8082")
        URI mrn();

        /** sync-service: tasks. */
        @WithDefault("http://127.0.0.1:8083")
        URI sync();

        /** archive-service: archives, downloads, payloads. */
        @WithDefault("http://127.0.0.1:8084")
        URI archive();
    }

    /** Server-side session storage. */
    interface Session {

        /** At most this many sessions are kept; beyond it the oldest session ends (its user logs in again). */
        @WithDefault("10000")
        int maxSessions();

        /**
         * How long a session lives when the provider's refresh token does not say (a JWT's {@code exp}): after it the
         * tokens are dropped and the user logs in again.
         */
        @WithDefault("30m")
        Duration fallbackLifetime();
    }

    /** The HTTP clients to the services. */
    interface Proxy {

        /** How long to wait for a service to accept a connection. */
        @WithDefault("5s")
        Duration connectTimeout();

        /**
         * How long a forwarded call (other than an event stream) may stay silent before it is cut; an archive that is
         * still being written keeps sending bytes.
         */
        @WithDefault("5m")
        Duration idleTimeout();

        /** Connections per service for ordinary calls. */
        @WithDefault("64")
        int maxConnections();

        /**
         * Connections per service for event streams: each open page holds one for as long as it is open, without an
         * idle timeout.
         */
        @WithDefault("256")
        int maxEventStreams();
    }
}
