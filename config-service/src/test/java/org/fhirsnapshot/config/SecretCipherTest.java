package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private static final String CONTEXT = "fhir_system.auth_token:7";

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static SecretCipher cipher(String key, String... previous) {
        return SecretCipher.of(Optional.of(key), List.of(previous));
    }

    @Test
    void aValueComesBackFromItsSelfDescribingCiphertext() throws Exception {
        String key = newKey();
        SecretCipher cipher = cipher(key);

        String stored = cipher.encrypt("s3cr3t-ünïcode", CONTEXT);

        String keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Base64.getDecoder().decode(key)), 0, 4);
        assertThat(cipher.currentKeyId()).isEqualTo(keyId);
        assertThat(stored).startsWith("enc:v1:" + keyId + ":").doesNotContain("s3cr3t");
        byte[] body = Base64.getDecoder().decode(stored.substring(("enc:v1:" + keyId + ":").length()));
        // 12 bytes of IV, the UTF-8 plain text's length of ciphertext, 16 bytes of tag.
        assertThat(body).hasSize(12 + "s3cr3t-ünïcode".getBytes(StandardCharsets.UTF_8).length + 16);
        assertThat(cipher.decrypt(stored, CONTEXT)).isEqualTo("s3cr3t-ünïcode");
        assertThat(cipher.isCurrent(stored)).isTrue();
        assertThat(SecretCipher.isEncrypted(stored)).isTrue();
        assertThat(SecretCipher.isEncrypted("s3cr3t")).isFalse();
    }

    @Test
    void everyEncryptionUsesAFreshIv() {
        SecretCipher cipher = cipher(newKey());

        String one = cipher.encrypt("same", CONTEXT);
        String two = cipher.encrypt("same", CONTEXT);

        assertThat(one).isNotEqualTo(two);
        assertThat(Arrays.copyOf(Base64.getDecoder().decode(one.substring(16)), 12))
                .isNotEqualTo(Arrays.copyOf(Base64.getDecoder().decode(two.substring(16)), 12));
    }

    @Test
    void aCiphertextDoesNotDecryptInAnotherRowOrColumn() {
        SecretCipher cipher = cipher(newKey());
        String stored = cipher.encrypt("s3cr3t", "fhir_system.auth_token:7");

        for (String other : List.of("fhir_system.auth_token:8", "fhir_system.auth_client_secret:7")) {
            assertThatThrownBy(() -> cipher.decrypt(stored, other))
                    .isInstanceOfSatisfying(SecretCipher.UndecryptableException.class, e -> {
                        assertThat(e.unknownKey()).isFalse();
                        assertThat(e.getMessage()).doesNotContain(stored.substring(16)).doesNotContain("s3cr3t");
                    });
        }
    }

    @Test
    void aTamperedCiphertextIsRefused() {
        SecretCipher cipher = cipher(newKey());
        String stored = cipher.encrypt("s3cr3t", CONTEXT);
        byte[] body = Base64.getDecoder().decode(stored.substring(16));
        body[body.length - 20] ^= 1;
        String tampered = stored.substring(0, 16) + Base64.getEncoder().encodeToString(body);

        assertThatThrownBy(() -> cipher.decrypt(tampered, CONTEXT))
                .isInstanceOf(SecretCipher.UndecryptableException.class);
        assertThatThrownBy(() -> cipher.decrypt(stored.substring(0, 30), CONTEXT))
                .isInstanceOf(SecretCipher.UndecryptableException.class);
        assertThatThrownBy(() -> cipher.decrypt(stored.substring(0, 16) + "!!!", CONTEXT))
                .isInstanceOf(SecretCipher.UndecryptableException.class);
    }

    @Test
    void aPreviousKeyStillDecryptsWhileNewValuesUseTheCurrentOne() throws Exception {
        String old = newKey();
        String stored = cipher(old).encrypt("s3cr3t", CONTEXT);
        SecretCipher rotated = cipher(newKey(), old);

        assertThat(rotated.decrypt(stored, CONTEXT)).isEqualTo("s3cr3t");
        assertThat(rotated.isCurrent(stored)).isFalse();
        assertThat(rotated.encrypt("s3cr3t", CONTEXT)).startsWith("enc:v1:" + rotated.currentKeyId() + ":");
    }

    @Test
    void aValueWrittenWithAKeyNotConfiguredNamesItsKeyId() {
        SecretCipher other = cipher(newKey());
        String stored = other.encrypt("s3cr3t", CONTEXT);

        assertThatThrownBy(() -> cipher(newKey()).decrypt(stored, CONTEXT))
                .isInstanceOfSatisfying(SecretCipher.UndecryptableException.class, e -> {
                    assertThat(e.unknownKey()).isTrue();
                    assertThat(e.keyId()).isEqualTo(other.currentKeyId());
                    assertThat(e.getMessage()).contains(other.currentKeyId()).doesNotContain(stored.substring(16));
                });
    }

    @Test
    void withoutAKeyTheCipherRefusesAndSaysHowToSetOne() {
        for (Optional<String> missing : List.of(Optional.<String>empty(), Optional.of("  "))) {
            assertThatThrownBy(() -> SecretCipher.of(missing, List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("fhir-snapshot.secrets.key")
                    .hasMessageContaining("FHIR_SNAPSHOT_SECRETS_KEY")
                    .hasMessageContaining("openssl rand -base64 32");
        }
    }

    @Test
    void aKeyThatIsNot32BytesOfBase64IsRefusedWithoutRepeatingIt() {
        String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SecretCipher.of(Optional.of(shortKey), List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("16 bytes instead of 32")
                .message().doesNotContain(shortKey);
        assertThatThrownBy(() -> SecretCipher.of(Optional.of("not*base64*at*all"), List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not valid base64")
                .message().doesNotContain("not*base64*at*all");
        assertThatThrownBy(() -> SecretCipher.of(Optional.of(newKey()), List.of("c2hvcnQ=")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fhir-snapshot.secrets.previous-keys[0]");
    }

    @Test
    void theCipherNeverPrintsItsKeys() {
        String key = newKey();
        SecretCipher cipher = cipher(key, newKey());

        assertThat(cipher.toString()).doesNotContain(key).contains(cipher.currentKeyId()).contains("keys=2");
    }
}
