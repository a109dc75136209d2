package org.fhirsnapshot.sync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How sync-service runs its tasks. */
@ConfigMapping(prefix = "fhir-snapshot.tasks")
public interface TasksConfig {

    /** How often the runner looks for pending tasks (also the key the {@code @Scheduled} job reads). */
    @WithDefault("300ms")
    Duration pollInterval();

    /**
     * How long a new task waits before it may run, so that a burst of changes (a user adding ten mappings) joins
     * one pending task and costs one reconcile. Joining never pushes the start further back.
     */
    @WithDefault("1s")
    Duration debounce();

    /** How many tasks (of different projects) one replica runs at once. */
    @WithDefault("4")
    int maxConcurrent();

    /** How many times a task is tried before it fails; a failed downstream call or a crash uses up one attempt. */
    @WithDefault("5")
    int maxAttempts();

    /** The wait after the first failed attempt; it doubles with every further attempt. */
    @WithDefault("2s")
    Duration initialBackoff();

    /** The longest wait between two attempts. */
    @WithDefault("1m")
    Duration maxBackoff();

    /** A task running for longer than this was left by a replica that stopped; it goes back to pending. */
    @WithDefault("5m")
    Duration staleAfter();

    /**
     * How often the sweeper asks mrn-service to return expired leases to pending and republish forgotten pending
     * instances (also the key the {@code @Scheduled} job reads; the first sweep runs 5 s after start).
     */
    @WithDefault("30s")
    Duration sweepInterval();

    /** How long the ids of consumed messages are kept to recognise a redelivery. */
    @WithDefault("7d")
    Duration processedMessageRetention();
}
