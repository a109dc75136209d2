package org.fhirsnapshot.config;

import org.fhirsnapshot.problem.ProblemException;

/**
 * A FHIR system's stored secrets cannot be decrypted: 503 when the key that wrote them is not configured (an
 * operator fixes it by configuring that key), 409 when a value does not verify under its key (altered or moved in
 * the database: set the secret again). The detail names the system and the key id, never a value or a key.
 */
public class SecretsUnreadableException extends ProblemException {

    SecretsUnreadableException(long systemId, SecretCipher.UndecryptableException cause) {
        super(cause.unknownKey() ? 503 : 409, cause.unknownKey() ? "Secrets key missing" : "Secrets unreadable",
                cause.unknownKey()
                        ? "The secrets of FHIR system " + systemId + " cannot be decrypted with the configured key: "
                                + "they were written with key id "
                                + (cause.keyId() == null ? "(malformed)" : cause.keyId())
                                + ". Add that key to fhir-snapshot.secrets.previous-keys (or set it as "
                                + "fhir-snapshot.secrets.key) and restart config-service."
                        : "The secrets of FHIR system " + systemId + " cannot be decrypted: a stored value was "
                                + "altered or copied from another row or column. Set the secret again with PUT "
                                + "/api/fhir-systems/" + systemId + ".");
    }
}
