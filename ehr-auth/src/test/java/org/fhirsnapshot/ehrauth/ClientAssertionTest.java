package org.fhirsnapshot.ehrauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SMART Backend Services client assertion, verified with jose4j against the public key. */
class ClientAssertionTest {

    private static final String TOKEN_ENDPOINT = "https://ehr.example.org/oauth2/token";

    static KeyPair keyPair(String algorithm) throws Exception {
        if (algorithm.startsWith("RS")) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        return generator.generateKeyPair();
    }

    static String pem(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static AuthSettings smartBackend(String clientId, String pem, String keyId, String algorithm) {
        return new AuthSettings("smart-backend", null, null, clientId, null, "system/*.read", pem, keyId, algorithm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void signsAnAssertionThatVerifiesWithThePublicKeyAndCarriesTheSmartClaims(String algorithm) throws Exception {
        KeyPair keys = keyPair(algorithm);
        Instant now = Instant.now();

        String assertion = ClientAssertion.sign(smartBackend("client-7", pem(keys), "key-1", algorithm),
                TOKEN_ENDPOINT, now);

        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKey(keys.getPublic())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, algorithm)
                .setExpectedIssuer("client-7")
                .setExpectedSubject("client-7")
                .setExpectedAudience(TOKEN_ENDPOINT)
                .setRequireExpirationTime()
                .setRequireJwtId()
                .build();
        JwtContext context = consumer.process(assertion);
        JwtClaims claims = context.getJwtClaims();
        assertThat(context.getJoseObjects().get(0).getKeyIdHeaderValue()).isEqualTo("key-1");
        assertThat(context.getJoseObjects().get(0).getAlgorithmHeaderValue()).isEqualTo(algorithm);
        long exp = claims.getExpirationTime().getValue();
        assertThat(exp).isGreaterThan(now.getEpochSecond()).isLessThanOrEqualTo(now.getEpochSecond() + 300);
        assertThat(claims.getIssuedAt().getValue()).isEqualTo(now.getEpochSecond());
        assertThat(claims.getJwtId()).isNotBlank();
    }

    @Test
    void defaultsToRs384() throws Exception {
        KeyPair keys = keyPair("RS384");

        String assertion = ClientAssertion.sign(smartBackend("c", pem(keys), null, null), TOKEN_ENDPOINT,
                Instant.now());

        JwtContext context = new JwtConsumerBuilder().setVerificationKey(keys.getPublic())
                .setExpectedAudience(TOKEN_ENDPOINT).build().process(assertion);
        assertThat(context.getJoseObjects().get(0).getAlgorithmHeaderValue()).isEqualTo("RS384");
        assertThat(context.getJoseObjects().get(0).getKeyIdHeaderValue()).isNull();
    }

    @Test
    void givesEveryAssertionItsOwnJwtId() throws Exception {
        KeyPair keys = keyPair("RS384");
        AuthSettings auth = smartBackend("c", pem(keys), "k", "RS384");
        JwtConsumer consumer = new JwtConsumerBuilder().setVerificationKey(keys.getPublic())
                .setExpectedAudience(TOKEN_ENDPOINT).build();

        String first = consumer.processToClaims(ClientAssertion.sign(auth, TOKEN_ENDPOINT, Instant.now())).getJwtId();
        String second = consumer.processToClaims(ClientAssertion.sign(auth, TOKEN_ENDPOINT, Instant.now())).getJwtId();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void anAssertionDoesNotVerifyWithAnotherKey() throws Exception {
        KeyPair keys = keyPair("ES384");
        String assertion = ClientAssertion.sign(smartBackend("c", pem(keys), "k", "ES384"), TOKEN_ENDPOINT,
                Instant.now());

        assertThatThrownBy(() -> new JwtConsumerBuilder().setVerificationKey(keyPair("ES384").getPublic())
                .setExpectedAudience(TOKEN_ENDPOINT).build().process(assertion))
                .isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void aKeyOfTheWrongFamilyIsAConfigurationFailureThatNamesNoKeyMaterial() throws Exception {
        String rsaPem = pem(keyPair("RS384"));
        String keyBody = rsaPem.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();

        assertThatThrownBy(() -> ClientAssertion.sign(smartBackend("c", rsaPem, "k", "ES384"), TOKEN_ENDPOINT,
                Instant.now()))
                .isInstanceOfSatisfying(EhrAuthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(EhrAuthException.Kind.CONFIGURATION);
                    assertThat(e.transport()).isFalse();
                    assertThat(e.getMessage()).contains("EC").contains("ES384").doesNotContain(keyBody);
                    assertThat(e.getCause()).isNull();
                });
    }

    @Test
    void unusableSettingsAreConfigurationFailuresInPlainWords() throws Exception {
        String pem = pem(keyPair("RS384"));

        assertThatThrownBy(() -> ClientAssertion.sign(smartBackend("c", "not a key", "k", "RS384"), TOKEN_ENDPOINT,
                Instant.now())).hasMessageContaining("not a PKCS#8 RSA key");
        assertThatThrownBy(() -> ClientAssertion.sign(smartBackend("c", pem.replace("PRIVATE KEY",
                "RSA PRIVATE KEY"), "k", "RS384"), TOKEN_ENDPOINT, Instant.now())).hasMessageContaining("PKCS#1");
        assertThatThrownBy(() -> ClientAssertion.sign(smartBackend("c", pem, "k", "HS256"), TOKEN_ENDPOINT,
                Instant.now())).hasMessageContaining("RS384 or ES384");
        assertThatThrownBy(() -> ClientAssertion.sign(smartBackend(" ", pem, "k", "RS384"), TOKEN_ENDPOINT,
                Instant.now())).hasMessageContaining("no client id");
        assertThatThrownBy(() -> ClientAssertion.sign(smartBackend("c", null, "k", "RS384"), TOKEN_ENDPOINT,
                Instant.now())).hasMessageContaining("no private key");
    }
}
