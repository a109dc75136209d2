package org.fhirsnapshot.fetch;

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
class SmartClientAssertionTest {

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

    @ParameterizedTest
    @ValueSource(strings = {"RS384", "ES384"})
    void signsAnAssertionThatVerifiesWithThePublicKeyAndCarriesTheSmartClaims(String algorithm) throws Exception {
        KeyPair keys = keyPair(algorithm);
        AuthSettings auth = new AuthSettings("smart-backend", null, null, "client-7", null, "system/*.read",
                pem(keys), "key-1", algorithm);
        Instant now = Instant.now();

        String assertion = EhrAuthorization.clientAssertion(auth, TOKEN_ENDPOINT, now);

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
        assertThat(claims.getJwtId()).isNotBlank();
    }

    @Test
    void givesEveryAssertionItsOwnJwtId() throws Exception {
        KeyPair keys = keyPair("RS384");
        AuthSettings auth = new AuthSettings("smart-backend", null, null, "c", null, null, pem(keys), "k", "RS384");
        JwtConsumer consumer = new JwtConsumerBuilder().setVerificationKey(keys.getPublic())
                .setExpectedAudience(TOKEN_ENDPOINT).build();

        String first = consumer.processToClaims(EhrAuthorization.clientAssertion(auth, TOKEN_ENDPOINT, Instant.now()))
                .getJwtId();
        String second = consumer.processToClaims(EhrAuthorization.clientAssertion(auth, TOKEN_ENDPOINT,
                Instant.now())).getJwtId();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void anAssertionSignedWithAnotherKeyDoesNotVerify() throws Exception {
        AuthSettings auth = new AuthSettings("smart-backend", null, null, "c", null, null,
                pem(keyPair("RS384")), "k", "RS384");
        JwtConsumer consumer = new JwtConsumerBuilder().setVerificationKey(keyPair("RS384").getPublic())
                .setExpectedAudience(TOKEN_ENDPOINT).build();

        String assertion = EhrAuthorization.clientAssertion(auth, TOKEN_ENDPOINT, Instant.now());

        assertThatThrownBy(() -> consumer.process(assertion)).isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void refusesAKeyOfTheWrongFamilyAsAuthWithoutNamingTheKey() throws Exception {
        String key = pem(keyPair("ES384"));
        AuthSettings auth = new AuthSettings("smart-backend", null, null, "c", null, null, key, "k", "RS384");

        assertThatThrownBy(() -> EhrAuthorization.clientAssertion(auth, TOKEN_ENDPOINT, Instant.now()))
                .isInstanceOfSatisfying(FetchFailure.class, failure -> {
                    assertThat(failure.errorClass()).isEqualTo(ErrorClass.AUTH);
                    assertThat(failure.getMessage()).contains("RSA").doesNotContain(key.substring(40, 80));
                });
    }
}
