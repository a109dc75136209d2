package org.fhirsnapshot.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of secrets at rest with AES-256-GCM from the JDK (JCA {@code AES/GCM/NoPadding}): a random 96-bit IV
 * per value, a 128-bit tag, and caller-given associated data (the column and row of the value), so a ciphertext
 * copied to another row or column does not decrypt.
 *
 * <p>
 * Stored form: {@code enc:v1:{keyId}:{base64(iv || ciphertext || tag)}}, where {@code keyId} is the first 8 hex
 * digits of the SHA-256 of the key. Values are always written with the current key; values written with a
 * previous key (configured for rotation) are still read. Nothing here ever puts a key, a plain value or a
 * ciphertext in an exception message or {@link #toString()}.
 */
public final class SecretCipher {

    /** The prefix of every encrypted value; anything else is a value stored before encryption (legacy). */
    public static final String PREFIX = "enc:v1:";
    public static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final String HOW_TO_SET = "set fhir-snapshot.secrets.key (environment variable "
            + "FHIR_SNAPSHOT_SECRETS_KEY) to the base64 of 32 random bytes, e.g. the output of "
            + "'openssl rand -base64 32', and keep it: the stored secrets cannot be read without it";

    private final String currentKeyId;
    private final SecretKey currentKey;
    /** Every usable key by id, the current one included. */
    private final Map<String, SecretKey> keys;
    private final SecureRandom random = new SecureRandom();

    private SecretCipher(String currentKeyId, Map<String, SecretKey> keys) {
        this.currentKeyId = currentKeyId;
        this.currentKey = keys.get(currentKeyId);
        this.keys = Map.copyOf(keys);
    }

    /**
     * The cipher of the configured keys.
     *
     * @param key the current key, base64 of 32 bytes
     * @param previousKeys keys used before (base64 of 32 bytes each), only for reading
     * @throws IllegalStateException when no key is set or a key is not base64 of 32 bytes; the message says how to
     *         set one and never repeats the value
     */
    public static SecretCipher of(Optional<String> key, List<String> previousKeys) {
        if (key.isEmpty() || key.get().isBlank()) {
            throw new IllegalStateException("No key to encrypt the FHIR systems' secrets at rest: " + HOW_TO_SET
                    + ".");
        }
        byte[] current = decodeKey(key.get(), "fhir-snapshot.secrets.key");
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String currentId = keyId(current);
        keys.put(currentId, new SecretKeySpec(current, "AES"));
        for (int i = 0; i < previousKeys.size(); i++) {
            if (previousKeys.get(i) == null || previousKeys.get(i).isBlank()) {
                continue;
            }
            byte[] previous = decodeKey(previousKeys.get(i), "fhir-snapshot.secrets.previous-keys[" + i + "]");
            String id = keyId(previous);
            SecretKey other = keys.get(id);
            if (other != null && !MessageDigest.isEqual(other.getEncoded(), previous)) {
                // 1 chance in 2^32: the stored values could not say which key wrote them.
                throw new IllegalStateException("fhir-snapshot.secrets.previous-keys[" + i + "] has the same key id "
                        + "as another configured key: generate a different key.");
            }
            keys.putIfAbsent(id, new SecretKeySpec(previous, "AES"));
        }
        return new SecretCipher(currentId, keys);
    }

    private static byte[] decodeKey(String base64, String property) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " is not valid base64: " + HOW_TO_SET + ".");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalStateException(property + " decodes to " + bytes.length + " bytes instead of "
                    + KEY_BYTES + ": " + HOW_TO_SET + ".");
        }
        return bytes;
    }

    /** The key id of a raw key: the first 8 hex digits of its SHA-256. */
    public static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The id of the key new values are written with. */
    public String currentKeyId() {
        return currentKeyId;
    }

    /** Whether {@code stored} is an encrypted value (as opposed to a legacy plain one). */
    public static boolean isEncrypted(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** Whether {@code stored} is encrypted with the current key (nothing to re-encrypt). */
    public boolean isCurrent(String stored) {
        return stored != null && stored.startsWith(PREFIX + currentKeyId + ":");
    }

    /** {@code plain} encrypted with the current key, bound to {@code context} (e.g. column and row). */
    public String encrypt(String plain, String context) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, currentKey, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return PREFIX + currentKeyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this Java runtime", e);
        }
    }

    /**
     * The plain value of an encrypted {@code stored} value bound to {@code context}.
     *
     * @throws UndecryptableException when the key that wrote it is not configured, or the value was altered or
     *         moved from another row or column (its tag does not verify)
     */
    public String decrypt(String stored, String context) throws UndecryptableException {
        if (!isEncrypted(stored)) {
            throw new UndecryptableException(null, false);
        }
        int colon = stored.indexOf(':', PREFIX.length());
        if (colon < 0) {
            throw new UndecryptableException(null, false);
        }
        String keyId = stored.substring(PREFIX.length(), colon);
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new UndecryptableException(keyId.matches("[0-9a-f]{8}") ? keyId : null, true);
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(stored.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new UndecryptableException(keyId, false);
        }
        if (in.length < IV_BYTES + TAG_BITS / 8) {
            throw new UndecryptableException(keyId, false);
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new UndecryptableException(keyId, false);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "SecretCipher[currentKeyId=" + currentKeyId + ", keys=" + keys.size() + "]";
    }

    /**
     * A stored value that cannot be decrypted. Carries no part of the value or of a key (a key id is a fingerprint,
     * not key material).
     */
    public static final class UndecryptableException extends Exception {

        private final String keyId;
        private final boolean unknownKey;

        UndecryptableException(String keyId, boolean unknownKey) {
            super(unknownKey
                    ? "written with key id " + (keyId == null ? "(malformed)" : keyId) + ", which is not configured"
                    : "not a valid value for this row and column (altered, moved or truncated)", null, false, false);
            this.keyId = keyId;
            this.unknownKey = unknownKey;
        }

        /** The id of the key the value names, or null when it names none that is well-formed. */
        public String keyId() {
            return keyId;
        }

        /** True when the key is not configured; false when the value does not verify under a configured key. */
        public boolean unknownKey() {
            return unknownKey;
        }
    }
}
