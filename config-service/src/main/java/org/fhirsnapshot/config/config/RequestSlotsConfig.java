package org.fhirsnapshot.config.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The concurrent-request slots that fetch-worker replicas share ({@code POST …/request-slots}). */
@ConfigMapping(prefix = "fhir-snapshot.request-slots")
public interface RequestSlotsConfig {

    /**
     * How long a grant holds without renewal; workers renew every third of it, and the slots of a worker that stops
     * renewing (crashed, cut off) return to the others after at most this long.
     */
    @WithDefault("15s")
    Duration lease();
}
