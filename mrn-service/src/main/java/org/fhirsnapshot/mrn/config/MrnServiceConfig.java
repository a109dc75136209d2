package org.fhirsnapshot.mrn.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * mrn-service settings, under {@code fhir-snapshot.}.
 */
@ConfigMapping(prefix = "fhir-snapshot")
public interface MrnServiceConfig {

    /** Windowed publishing of pending-resource. */
    Publisher publisher();

    /** Claims of instances by fetch workers. */
    Claim claim();

    /** MRN uploads. */
    Mrns mrns();

    /** The outbox relay that publishes mrn-changed. */
    Outbox outbox();

    /** Calls to config-service. */
    ConfigService configService();

    /** Automatic retry of transient fetch failures. */
    Retry retry();

    interface Publisher {

        /** How often the publisher runs. */
        @WithDefault("250ms")
        Duration interval();

        /** At most this many instances of one project are in flight (published or fetching) at once. */
        @WithDefault("500")
        int windowPerProject();

        /** A published instance still pending after this long is published again (its message was lost). */
        @WithDefault("60s")
        Duration republishAfter();

        /** At most this many messages per run across all projects (projects take turns within it). */
        @WithDefault("2000")
        int maxPerRun();
    }

    interface Claim {

        /** The lease a claim gets when the worker asks for none. */
        @WithDefault("300")
        int defaultLeaseSeconds();

        /** The longest lease a worker may ask for. */
        @WithDefault("3600")
        int maxLeaseSeconds();

        /** The most instances one claim may name. */
        @WithDefault("1000")
        int maxInstances();
    }

    interface Mrns {

        /** The most MRNs one upload may carry. */
        @WithDefault("100000")
        int maxPerRequest();

        /** The most MRN ids one mrn-changed message carries; a larger upload emits several messages. */
        @WithDefault("10000")
        int idsPerEvent();
    }

    interface Outbox {

        /** How often the relay publishes outbox rows. */
        @WithDefault("300ms")
        Duration interval();

        /** The most rows the relay publishes per run. */
        @WithDefault("100")
        int batchSize();
    }

    interface ConfigService {

        /** How long one question to config-service may take, retries included. */
        @WithDefault("8s")
        Duration timeout();

        /** Retries of a failed call (a 404 is an answer, never retried). */
        @WithDefault("1")
        int retries();
    }

    interface Retry {

        /** A transient failure of this attempt or a later one is final (failed); earlier ones are retried. */
        @WithDefault("5")
        int maxAttempts();

        /** The wait before the first retry; it doubles with each attempt (with +/-20% jitter). */
        @WithDefault("5s")
        Duration initialBackoff();

        /** The longest wait between two attempts. */
        @WithDefault("10m")
        Duration maxBackoff();

        /** The error classes that are retried automatically; every other class fails at once. */
        @WithDefault("rate_limited,server_error,timeout,network,unexpected_response,storage")
        List<String> transientErrorClasses();

        /**
         * The time zone whose midnight starts the EHR's next day: an instance failing {@code daily_limit} (Epic 4135)
         * goes back to pending until then, whatever its attempt, plus up to {@code daily-limit-spread}.
         */
        @WithDefault("UTC")
        ZoneId dailyLimitResetZone();

        /** Deferred instances come back spread over this long after midnight, not all at the same instant. */
        @WithDefault("15m")
        Duration dailyLimitSpread();
    }
}
