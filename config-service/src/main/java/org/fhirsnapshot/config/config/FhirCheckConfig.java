package org.fhirsnapshot.config.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The reachability check of a FHIR system ({@code POST /api/fhir-systems/{id}/check}). */
@ConfigMapping(prefix = "fhir-snapshot.check")
public interface FhirCheckConfig {

    /** How long the check waits for the CapabilityStatement, connection included. */
    @WithDefault("10s")
    Duration timeout();
}
