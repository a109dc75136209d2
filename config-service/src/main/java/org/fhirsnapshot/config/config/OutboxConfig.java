package org.fhirsnapshot.config.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The outbox relay that publishes mapping changes. */
@ConfigMapping(prefix = "fhir-snapshot.outbox")
public interface OutboxConfig {

    /**
     * How often the relay looks for messages left unpublished (it also runs right after every change). Read by the
     * {@code @Scheduled} expression of {@code OutboxRelay}, which repeats this default; Quarkus' scheduler cannot go
     * below 1s.
     */
    @WithDefault("1s")
    Duration relayInterval();

    /** The most messages one relay run publishes. */
    @WithDefault("100")
    int batchSize();
}
