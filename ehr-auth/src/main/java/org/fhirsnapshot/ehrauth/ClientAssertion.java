package org.fhirsnapshot.ehrauth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtSignatureBuilder;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.ehrauth.EhrAuthException.Kind;

/**
 * The SMART Backend Services client assertion ({@code private_key_jwt}, RFC 7523): a JWT signed RS384 or ES384 with
 * the FHIR system's private key, header {@code alg} and {@code kid}, claims {@code iss = sub = client_id},
 * {@code aud} = the token endpoint, a fresh {@code jti}, {@code iat} now and {@code exp} {@link #LIFETIME} ahead
 * (SMART allows at most 5 minutes). Signing takes about a millisecond (RSA 2048): fine on an event loop, once per
 * token.
 */
public final class ClientAssertion {

    /** How far ahead an assertion expires. */
    public static final Duration LIFETIME = Duration.ofMinutes(4);
    /** The {@code client_assertion_type} that goes with it. */
    public static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private ClientAssertion() {
    }

    /**
     * Signs an assertion for the token endpoint.
     *
     * @param auth the system's smart-backend settings: {@code clientId}, {@code privateKey} (unencrypted PKCS#8
     *        PEM), {@code algorithm} (RS384 when null), {@code keyId} (optional)
     * @throws EhrAuthException {@link Kind#CONFIGURATION} when the client id, key or algorithm cannot be used (the
     *         message names no key material)
     */
    public static String sign(AuthSettings auth, String tokenEndpoint, Instant now) {
        requireSigningSettings(auth);
        String algorithm = isBlank(auth.algorithm()) ? "RS384" : auth.algorithm().strip().toUpperCase(Locale.ROOT);
        SignatureAlgorithm signature = switch (algorithm) {
            case "RS384" -> SignatureAlgorithm.RS384;
            case "ES384" -> SignatureAlgorithm.ES384;
            default -> throw new EhrAuthException(Kind.CONFIGURATION,
                    "The smart-backend algorithm must be RS384 or ES384.");
        };
        PrivateKey key = privateKey(auth.privateKey(), algorithm);
        try {
            JwtSignatureBuilder builder = Jwt.claims()
                    .issuer(auth.clientId())
                    .subject(auth.clientId())
                    .audience(tokenEndpoint)
                    .claim("jti", UUID.randomUUID().toString())
                    .issuedAt(now.getEpochSecond())
                    .expiresAt(now.plus(LIFETIME).getEpochSecond())
                    .jws().algorithm(signature);
            if (!isBlank(auth.keyId())) {
                builder.keyId(auth.keyId());
            }
            return builder.sign(key);
        } catch (RuntimeException e) {
            throw new EhrAuthException(Kind.CONFIGURATION, "The client assertion could not be signed with the "
                    + "smart-backend private key as " + algorithm + ": check that the key is a "
                    + family(algorithm) + " key" + (algorithm.equals("ES384") ? " on curve P-384" : "") + ".");
        }
    }

    private static PrivateKey privateKey(String pem, String algorithm) {
        if (pem.contains("ENCRYPTED PRIVATE KEY")) {
            throw new EhrAuthException(Kind.CONFIGURATION,
                    "The smart-backend private key is encrypted: give it unencrypted (PKCS#8).");
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw new EhrAuthException(Kind.CONFIGURATION, "The smart-backend private key is PKCS#1/SEC1: convert it "
                    + "to PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt -in key.pem'.");
        }
        try {
            String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "");
            byte[] der = Base64.getMimeDecoder().decode(body);
            return KeyFactory.getInstance(family(algorithm)).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new EhrAuthException(Kind.CONFIGURATION, "The smart-backend private key is not a PKCS#8 "
                    + family(algorithm) + " key, which " + algorithm + " needs.");
        }
    }

    private static String family(String algorithm) {
        return algorithm.startsWith("RS") ? "RSA" : "EC";
    }

    static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * Fails at once when the settings lack what signing needs (a client id and a private key), so that a caller
     * learns it before any discovery request.
     *
     * @throws EhrAuthException {@link Kind#CONFIGURATION}
     */
    public static void requireSigningSettings(AuthSettings auth) {
        if (auth == null || isBlank(auth.clientId())) {
            throw new EhrAuthException(Kind.CONFIGURATION,
                    "The smart-backend authentication has no client id: set auth.clientId.");
        }
        if (isBlank(auth.privateKey())) {
            throw new EhrAuthException(Kind.CONFIGURATION,
                    "The smart-backend authentication has no private key: set auth.privateKey or let config-service "
                            + "generate one.");
        }
    }
}
