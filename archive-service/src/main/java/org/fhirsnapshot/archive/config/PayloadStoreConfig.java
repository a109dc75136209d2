package org.fhirsnapshot.archive.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the payloads are: the directory that fetch-worker writes to (a shared volume in a cluster). */
@ConfigMapping(prefix = "fhir-snapshot.payload-store")
public interface PayloadStoreConfig {

    /** The payload store's directory. */
    @WithDefault("./payloads")
    String directory();
}
