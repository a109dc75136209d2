package org.fhirsnapshot.fetch.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where fetched payloads are stored. */
@ConfigMapping(prefix = "fhir-snapshot.payload-store")
public interface PayloadStoreConfig {

    /** The directory of the file-system payload store (a shared volume when several workers run). */
    @WithDefault("./payloads")
    String directory();
}
