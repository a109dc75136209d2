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

    /**
     * Whether a payload copied raw into a json archive is inflated on the side and checked against its reference
     * (SHA-256) and its CRC-32 and size; a mismatch stops the download. Costs CPU, not I/O.
     */
    @WithDefault("true")
    boolean verifyPayloads();
}
