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

    /** Bytes of searchset pages one search may read (held in memory until stored); more fails with too_large. */
    @WithDefault("268435456")
    long maxBytes();

    /** The page size asked for ({@code _count}) when the FHIR system sets none. */
    @WithDefault("100")
    int defaultPageSize();

    /** Time to open a connection to an EHR. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Time an EHR may stay silent while answering one request. */
    @WithDefault("60s")
    Duration readTimeout();

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
