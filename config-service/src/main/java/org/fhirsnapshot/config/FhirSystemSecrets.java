package org.fhirsnapshot.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.fhirsnapshot.config.config.SecretsConfig;
import org.fhirsnapshot.config.persistence.FhirSystemEntity;

/**
 * The secret columns of {@code fhir_system} ({@code auth_token}, {@code auth_client_secret},
 * {@code auth_private_key}) encrypted at rest with {@link SecretCipher}. Each value is bound to its column and row
 * (associated data {@code fhir_system.<column>:<id>}), so a ciphertext copied elsewhere does not decrypt. Built at
 * startup (the re-encryption job needs it): without a key configured the service does not start.
 */
@ApplicationScoped
public class FhirSystemSecrets {

    public static final String TOKEN = "auth_token";
    public static final String CLIENT_SECRET = "auth_client_secret";
    public static final String PRIVATE_KEY = "auth_private_key";
    public static final List<String> COLUMNS = List.of(TOKEN, CLIENT_SECRET, PRIVATE_KEY);

    private final SecretCipher cipher;

    public FhirSystemSecrets(SecretsConfig config) {
        this.cipher = SecretCipher.of(config.key(), config.previousKeys().orElse(List.of()));
    }

    public SecretCipher cipher() {
        return cipher;
    }

    /** The associated data that binds a value to its column and row. */
    public static String context(String column, long systemId) {
        return "fhir_system." + column + ":" + systemId;
    }

    /**
     * The system's auth with its secrets decrypted. A value stored before encryption (no {@code enc:} prefix; the
     * startup job encrypts those) is taken as it is.
     *
     * @throws SecretsUnreadableException when a secret cannot be decrypted with the configured keys
     */
    public FhirSystemAuth auth(FhirSystemEntity system) {
        return new FhirSystemAuth(system.authType, open(system.authToken, TOKEN, system.id), system.authTokenUrl,
                system.authClientId, open(system.authClientSecret, CLIENT_SECRET, system.id), system.authScope,
                open(system.authPrivateKey, PRIVATE_KEY, system.id), system.authKeyId, system.authAlgorithm);
    }

    /**
     * Stores {@code auth} in the entity, secrets encrypted with the current key. The entity must have its id (for a
     * new system: after the insert that assigns it, in the same transaction).
     */
    public void store(FhirSystemEntity system, FhirSystemAuth auth) {
        if (system.id == null) {
            throw new IllegalStateException("a FHIR system's secrets are bound to its id: persist it first");
        }
        system.setAuthWithoutSecrets(auth);
        system.authToken = seal(auth.token(), TOKEN, system.id);
        system.authClientSecret = seal(auth.clientSecret(), CLIENT_SECRET, system.id);
        system.authPrivateKey = seal(auth.privateKey(), PRIVATE_KEY, system.id);
    }

    /** A stored value rewritten with the current key (decrypted first unless legacy plain). */
    public String reencrypt(String stored, String column, long systemId) throws SecretCipher.UndecryptableException {
        String plain = SecretCipher.isEncrypted(stored) ? cipher.decrypt(stored, context(column, systemId)) : stored;
        return cipher.encrypt(plain, context(column, systemId));
    }

    private String seal(String plain, String column, long systemId) {
        return plain == null ? null : cipher.encrypt(plain, context(column, systemId));
    }

    private String open(String stored, String column, long systemId) {
        if (stored == null || !SecretCipher.isEncrypted(stored)) {
            return stored;
        }
        try {
            return cipher.decrypt(stored, context(column, systemId));
        } catch (SecretCipher.UndecryptableException e) {
            throw new SecretsUnreadableException(systemId, e);
        }
    }
}
