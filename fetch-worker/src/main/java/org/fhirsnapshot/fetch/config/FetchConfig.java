package org.fhirsnapshot.fetch.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the worker fetches: concurrency, claims, limits of one search, timeouts and retries toward the EHR. */
@ConfigMapping(prefix = "fhir-snapshot.fetch")
public interface FetchConfig {

    /** Instances fetched at the same time by this worker, across all FHIR systems. */
    @WithDefault("8")
    int concurrency();

    /** How long a claim lasts before mrn-service puts the instance back to pending. */
    @WithDefault("300")
    int leaseSeconds();

    /** Pages one search may read; a search with more fails with too_large. */
    @WithDefault("1000")
    int maxPages();

    /**
     * Bytes (uncompressed) that one search may write to the payload store, streamed page by page; a search whose
     * merged Bundle grows past it fails with too_large and leaves nothing stored.
     */
    @WithDefault("268435456")
    long maxBytes();

    /** The page size asked for ({@code _count}) when the FHIR system sets none. */
    @WithDefault("100")
    int defaultPageSize();

    /** Time to get a connection to an EHR, per request (a FHIR system's timeouts.connectSeconds overrides it). */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Time an EHR may stay silent while answering one request (a FHIR system's timeouts.readSeconds overrides it). */
    @WithDefault("60s")
    Duration readTimeout();

    /**
     * Time one instance's fetch may take: patient lookup, every page, retries, waits for request permits, the
     * payload write; past it the fetch fails with timeout (a FHIR system's timeouts.totalSeconds overrides it).
     */
    @WithDefault("10m")
    Duration totalTimeout();

    /**
     * On SIGTERM (graceful shutdown, issue 8): how long fetches already running may take to finish and publish their
     * result before the claims still held are given back to mrn-service; claims not started are given back at once.
     * Keep it well below Kubernetes' terminationGracePeriodSeconds.
     */
    @WithDefault("20s")
    Duration shutdownDrain();

    /** Retries of one request (429, 503, connection errors) inside one fetch attempt. */
    Retry retry();

    interface Retry {

        /** Retries after the first try. */
        @WithDefault("3")
        int maxRetries();

        /** The first backoff; it doubles on each retry, with jitter. */
        @WithDefault("500ms")
        Duration initialBackoff();

        /** The longest wait between two tries; a Retry-After asking for more ends the retries. */
        @WithDefault("30s")
        Duration maxBackoff();
    }
}
