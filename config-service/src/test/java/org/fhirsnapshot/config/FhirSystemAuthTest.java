package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;
import org.junit.jupiter.api.Test;

class FhirSystemAuthTest {

    @Test
    void noneKeepsNothing() {
        FhirSystemAuth auth = new FhirSystemAuth("none", "t", "https://x/token", "c", "s", "sc", null, null, null)
                .validated(null);
        assertThat(auth).isEqualTo(FhirSystemAuth.none());
        assertThat(auth.hasSecret()).isFalse();
    }

    @Test
    void missingTypeMeansNone() {
        assertThat(new FhirSystemAuth(null, null, null, null, null, null, null, null, null).validated(null).type())
                .isEqualTo("none");
    }

    @Test
    void bearerNeedsAToken() {
        assertRejected(new FhirSystemAuth("bearer", null, null, null, null, null, null, null, null), null,
                "auth.token");
        FhirSystemAuth auth = new FhirSystemAuth("bearer", " tok ", null, "ignored", null, null, null, null, null)
                .validated(null);
        assertThat(auth.token()).isEqualTo("tok");
        assertThat(auth.clientId()).isNull();
        assertThat(auth.hasSecret()).isTrue();
    }

    @Test
    void clientSecretNeedsTokenUrlClientIdAndSecret() {
        assertRejected(new FhirSystemAuth("client-secret", null, null, "c", "s", null, null, null, null), null,
                "auth.tokenUrl");
        assertRejected(new FhirSystemAuth("client-secret", null, "https://x/token", null, "s", null, null, null,
                null), null, "auth.clientId");
        assertRejected(new FhirSystemAuth("client-secret", null, "https://x/token", "c", null, null, null, null,
                null), null, "auth.clientSecret");
        assertRejected(new FhirSystemAuth("client-secret", null, "token", "c", "s", null, null, null, null), null,
                "auth.tokenUrl");
    }

    @Test
    void secretLeftOutIsKeptOnlyWhileTheTypeStays() {
        FhirSystemAuth stored = new FhirSystemAuth("client-secret", null, "https://x/token", "c", "s3", null, null,
                null, null).validated(null);
        FhirSystemAuth update = new FhirSystemAuth("client-secret", null, "https://x/token2", "c2", null, "sc", null,
                null, null);

        FhirSystemAuth kept = update.validated(stored);

        assertThat(kept.clientSecret()).isEqualTo("s3");
        assertThat(kept.clientId()).isEqualTo("c2");
        assertThat(kept.tokenUrl()).isEqualTo("https://x/token2");
        assertRejected(new FhirSystemAuth("bearer", null, null, null, null, null, null, null, null), stored,
                "auth.token");
    }

    @Test
    void unknownTypeIsRejected() {
        assertRejected(new FhirSystemAuth("basic", null, null, null, null, null, null, null, null), null,
                "auth.type");
    }

    @Test
    void smartBackendNeedsClientIdAndAPkcs8KeyOfTheAlgorithmsFamily() throws Exception {
        String rsa = pem(KeyPairGenerator.getInstance("RSA"), 2048);
        FhirSystemAuth auth = new FhirSystemAuth("smart-backend", null, null, "client", null, "system/*.read", rsa,
                "kid-1", null).validated(null);
        assertThat(auth.algorithm()).isEqualTo("RS384");
        assertThat(auth.privateKey()).isEqualTo(rsa.strip());
        assertThat(auth.tokenUrl()).isNull();
        assertThat(auth.keyId()).isEqualTo("kid-1");

        assertRejected(new FhirSystemAuth("smart-backend", null, null, null, null, null, rsa, null, null), null,
                "auth.clientId");
        assertRejected(new FhirSystemAuth("smart-backend", null, null, "c", null, null, "not a key", null, null), null,
                "auth.privateKey");
        assertRejected(new FhirSystemAuth("smart-backend", null, null, "c", null, null, rsa, null, "ES384"), null,
                "auth.privateKey");
        assertRejected(new FhirSystemAuth("smart-backend", null, null, "c", null, null,
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", null, null), null,
                "auth.privateKey");
        assertRejected(new FhirSystemAuth("smart-backend", null, null, "c", null, null, rsa, null, "HS256"), null,
                "auth.algorithm");

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        String ecKey = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(ec.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        assertThat(new FhirSystemAuth("smart-backend", null, "https://x/token", "c", null, null, ecKey, null, "ES384")
                .validated(null).algorithm()).isEqualTo("ES384");
    }

    @Test
    void smartBackendWithoutAKeyGetsAGeneratedKeyPairOfItsAlgorithmWithAThumbprintKeyId() throws Exception {
        FhirSystemAuth rsa = new FhirSystemAuth("smart-backend", null, null, "c", null, null, null, null, null)
                .validated(null);
        FhirSystemAuth ec = new FhirSystemAuth("smart-backend", null, null, "c", null, null, null, null, "ES384")
                .validated(null);

        assertThat(rsa.algorithm()).isEqualTo("RS384");
        assertThat(SmartBackendKeys.privateKey(rsa.privateKey(), "RS384").getAlgorithm()).isEqualTo("RSA");
        assertThat(rsa.keyId()).isEqualTo(SmartBackendKeys.thumbprint(rsa.privateKey(), "RS384"));
        assertThat(ec.algorithm()).isEqualTo("ES384");
        assertThat(SmartBackendKeys.privateKey(ec.privateKey(), "ES384").getAlgorithm()).isEqualTo("EC");
        assertThat(ec.keyId()).isNotBlank().isNotEqualTo(rsa.keyId());
        FhirSystemAuth.checkPrivateKey(rsa.privateKey(), "RS384");
        FhirSystemAuth.checkPrivateKey(ec.privateKey(), "ES384");
    }

    @Test
    void aStoredKeyAndItsKeyIdAreKeptWhenAnUpdateGivesNone() {
        FhirSystemAuth stored = new FhirSystemAuth("smart-backend", null, null, "c", null, null, null, null, null)
                .validated(null);

        FhirSystemAuth updated = new FhirSystemAuth("smart-backend", null, "https://x/token", "c2", null, null, null,
                null, null).validated(stored);

        assertThat(updated.privateKey()).isEqualTo(stored.privateKey());
        assertThat(updated.keyId()).isEqualTo(stored.keyId());
        assertThat(updated.clientId()).isEqualTo("c2");
    }

    @Test
    void anEcKeyOffP384IsRejectedForEs384() throws Exception {
        KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
        p256.initialize(new ECGenParameterSpec("secp256r1"));
        String key = SmartBackendKeys.pem(p256.generateKeyPair().getPrivate());

        assertRejected(new FhirSystemAuth("smart-backend", null, null, "c", null, null, key, null, "ES384"), null,
                "auth.privateKey");
    }

    @Test
    void toStringNeverShowsSecrets() {
        FhirSystemAuth auth = new FhirSystemAuth("client-secret", "tok-x", "https://x/token", "c", "sec-x", null,
                "key-x", null, null);
        assertThat(auth.toString()).doesNotContain("tok-x", "sec-x", "key-x");
    }

    static String pem(KeyPairGenerator generator, int size) throws NoSuchAlgorithmException {
        generator.initialize(size);
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void assertRejected(FhirSystemAuth auth, FhirSystemAuth stored, String field) {
        assertThatThrownBy(() -> auth.validated(stored)).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.toProblem().errors()).extracting(Problem.FieldError::field).containsExactly(field));
    }
}
