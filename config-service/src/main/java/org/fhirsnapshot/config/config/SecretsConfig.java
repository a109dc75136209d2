package org.fhirsnapshot.config.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** The keys that encrypt the FHIR systems' secrets at rest (AES-256-GCM, see {@code SecretCipher}). */
@ConfigMapping(prefix = "fhir-snapshot.secrets")
public interface SecretsConfig {

    /**
     * The current key, base64 of 32 random bytes ({@code openssl rand -base64 32}); every value is written with it.
     * No default: without it the service refuses to start. Best given as the environment variable
     * {@code FHIR_SNAPSHOT_SECRETS_KEY}.
     */
    Optional<String> key();

    /**
     * Keys used before, comma separated, each base64 of 32 bytes: values written with them are still read, and
     * re-encrypted with the current key at startup. Remove one once the startup log reports no value left for it.
     */
    Optional<List<String>> previousKeys();

    /** How many FHIR system rows the startup re-encryption reads and rewrites per transaction. */
    @WithDefault("100")
    int reencryptBatchSize();
}
