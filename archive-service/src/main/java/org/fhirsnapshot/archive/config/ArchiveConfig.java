package org.fhirsnapshot.archive.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** How archives are built. */
@ConfigMapping(prefix = "fhir-snapshot.archive")
public interface ArchiveConfig {

    /** Archive entries asked of mrn-service per page. */
    @WithDefault("500")
    @Min(1)
    @Max(5000)
    int pageSize();

    /** Deflate level of the ZIP entries: 1 is fastest, 9 smallest, 6 the usual balance. */
    @WithDefault("6")
    @Min(0)
    @Max(9)
    int compressionLevel();
}
