package org.fhirsnapshot.fetch;

import java.time.Duration;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * The timeouts toward one FHIR system: its own {@code timeouts} where set (above 0), else the worker's
 * {@code fhir-snapshot.fetch.connect-timeout}, {@code read-timeout} and {@code total-timeout}. A connect timeout is
 * capped at {@link #MAX_CONNECT}, the connect timeout of the web client itself.
 *
 * @param connect time to get a connection to the EHR (per request)
 * @param read time the EHR may stay silent while answering one request (the request's idle timeout)
 * @param total time one instance's fetch may take: patient lookup, every page, the retries, the waits for request
 *        permits and the payload write
 */
public record EhrTimeouts(Duration connect, Duration read, Duration total) {

    /** The web client's own connect timeout: no request waits longer for a connection. */
    public static final Duration MAX_CONNECT = Duration.ofMinutes(5);

    public static EhrTimeouts of(FhirSystemSettings system, FetchConfig config) {
        FhirSystemSettings.Timeouts own = system.timeouts();
        Duration connect = own != null && own.connectSeconds() > 0
                ? Duration.ofSeconds(own.connectSeconds())
                : config.connectTimeout();
        Duration read = own != null && own.readSeconds() > 0
                ? Duration.ofSeconds(own.readSeconds())
                : config.readTimeout();
        Duration total = own != null && own.totalSeconds() > 0
                ? Duration.ofSeconds(own.totalSeconds())
                : config.totalTimeout();
        return new EhrTimeouts(connect.compareTo(MAX_CONNECT) > 0 ? MAX_CONNECT : connect, read, total);
    }
}
