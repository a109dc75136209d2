package org.fhirsnapshot.config;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/**
 * The key pair of a {@code smart-backend} FHIR system: generation (RSA 2048 for RS384, P-384 for ES384) as an
 * unencrypted PKCS#8 PEM, the public key derived from the private one, its RFC 7638 thumbprint (the default
 * {@code kid}) and the public JWK Set the EHR fetches from {@code /api/fhir-systems/{id}/jwks.json}.
 */
public final class SmartBackendKeys {

    static final String P384 = "secp384r1";
    private static final int RSA_BITS = 2048;

    private SmartBackendKeys() {
    }

    /** A new private key for {@code algorithm} (RS384 or ES384), as PKCS#8 PEM. */
    public static String generate(String algorithm) {
        try {
            KeyPairGenerator generator;
            if (algorithm.startsWith("RS")) {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(RSA_BITS);
            } else {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec(P384));
            }
            return pem(generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime generates RSA and P-384 keys", e);
        }
    }

    static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The private key of a PKCS#8 PEM; {@code algorithm} says the family (RSA for RS…, EC otherwise). */
    static PrivateKey privateKey(String pem, String algorithm) throws GeneralSecurityException {
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "");
        byte[] der = Base64.getMimeDecoder().decode(body);
        return KeyFactory.getInstance(algorithm.startsWith("RS") ? "RSA" : "EC")
                .generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** The public half of a private key: from the CRT fields for RSA, {@code d·G} on P-384 (Bouncy Castle) for EC. */
    static PublicKey publicKey(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        if (key instanceof ECPrivateKey ec && isP384(ec)) {
            org.bouncycastle.math.ec.ECPoint q = ECNamedCurveTable.getParameterSpec(P384).getG().multiply(ec.getS())
                    .normalize();
            ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
        }
        throw new GeneralSecurityException("an RSA CRT key or a P-384 EC key is needed");
    }

    /** Whether an EC key lies on P-384, the curve ES384 signs with. */
    static boolean isP384(ECPrivateKey key) {
        BigInteger order = key.getParams().getOrder();
        return order.equals(ECNamedCurveTable.getParameterSpec(P384).getN());
    }

    /** The RFC 7638 SHA-256 thumbprint of the key's public JWK, base64url: a stable default {@code kid}. */
    static String thumbprint(String pem, String algorithm) throws GeneralSecurityException {
        try {
            return PublicJsonWebKey.Factory.newPublicJwk(publicKey(privateKey(pem, algorithm)))
                    .calculateBase64urlEncodedThumbprint("SHA-256");
        } catch (JoseException e) {
            throw new GeneralSecurityException("the public key cannot be written as a JWK", e);
        }
    }

    /**
     * The public JWK Set of a {@code smart-backend} auth: {@code {"keys":[{kty, kid, alg, use:"sig", n,e | crv,x,y}]}},
     * never a private member; empty ({@code {"keys":[]}}) for any other type.
     */
    public static Map<String, Object> jwks(FhirSystemAuth auth) {
        if (!FhirSystemAuth.SMART_BACKEND.equals(auth.type()) || auth.privateKey() == null) {
            return Map.of("keys", List.of());
        }
        try {
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(
                    publicKey(privateKey(auth.privateKey(), auth.algorithm())));
            jwk.setKeyId(auth.keyId());
            jwk.setAlgorithm(auth.algorithm());
            jwk.setUse("sig");
            Map<String, Object> key = new LinkedHashMap<>(jwk.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            return Map.of("keys", List.of(key));
        } catch (GeneralSecurityException | JoseException e) {
            throw new IllegalStateException("the stored smart-backend key of a FHIR system cannot be read", e);
        }
    }
}
