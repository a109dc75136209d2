package org.fhirsnapshot.config;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fhirsnapshot.problem.ProblemException;

/**
 * How the workers authenticate toward a FHIR system. Secrets ({@code token}, {@code clientSecret},
 * {@code privateKey}) are write-only: the public API never returns them, and {@link #toString()} masks them.
 *
 * @param type {@code none}, {@code bearer}, {@code client-secret} or {@code smart-backend}
 * @param token a static bearer token ({@code bearer})
 * @param tokenUrl the token endpoint ({@code client-secret}; for {@code smart-backend} discovered from
 *        {@code .well-known/smart-configuration} when absent)
 * @param clientId the client id ({@code client-secret}, {@code smart-backend})
 * @param clientSecret the client secret ({@code client-secret})
 * @param scope the scopes asked for, optional
 * @param privateKey the PKCS#8 PEM private key that signs the client assertion ({@code smart-backend}); generated
 *        when neither given nor stored
 * @param keyId the {@code kid} of that key ({@code smart-backend}); when not given, the RFC 7638 thumbprint of
 *        the public key
 * @param algorithm {@code RS384} (default) or {@code ES384} ({@code smart-backend})
 */
public record FhirSystemAuth(String type, String token, String tokenUrl, String clientId, String clientSecret,
        String scope, String privateKey, String keyId, String algorithm) {

    public static final String NONE = "none";
    public static final String BEARER = "bearer";
    public static final String CLIENT_SECRET = "client-secret";
    public static final String SMART_BACKEND = "smart-backend";
    public static final List<String> TYPES = List.of(NONE, BEARER, CLIENT_SECRET, SMART_BACKEND);
    public static final List<String> ALGORITHMS = List.of("RS384", "ES384");

    private static final Pattern PKCS8_PEM = Pattern
            .compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    public static FhirSystemAuth none() {
        return new FhirSystemAuth(NONE, null, null, null, null, null, null, null, null);
    }

    /** Whether a secret (token, client secret or private key) is stored. */
    public boolean hasSecret() {
        return token != null || clientSecret != null || privateKey != null;
    }

    /**
     * This auth checked against its type, with only the fields that type uses. A secret the request leaves out is
     * kept from {@code stored} when the type stays the same (a client cannot read a secret back to resend it).
     *
     * @param stored the auth stored so far, or null on create
     * @throws ProblemException 400 naming the field that is missing or wrong
     */
    public FhirSystemAuth validated(FhirSystemAuth stored) {
        return validated(stored, null);
    }

    /**
     * As {@link #validated(FhirSystemAuth)}, with a private key generated beforehand (off the event loop) for a
     * {@code smart-backend} auth that has none; when null and one is needed, it is generated here.
     */
    public FhirSystemAuth validated(FhirSystemAuth stored, String spareKey) {
        String kind = type == null ? NONE : type.strip();
        if (!TYPES.contains(kind)) {
            throw ProblemException.invalid("auth.type", "auth.type must be one of " + String.join(", ", TYPES) + ".");
        }
        FhirSystemAuth previous = stored != null && kind.equals(stored.type()) ? stored : none();
        return switch (kind) {
            case BEARER -> new FhirSystemAuth(BEARER,
                    required(secretOr(token, previous.token()), "auth.token", "a bearer system needs auth.token."),
                    null, null, null, null, null, null, null);
            case CLIENT_SECRET -> new FhirSystemAuth(CLIENT_SECRET, null,
                    FhirBaseUrl.normalise(tokenUrl, "auth.tokenUrl"),
                    required(trimmed(clientId), "auth.clientId", "a client-secret system needs auth.clientId."),
                    required(secretOr(clientSecret, previous.clientSecret()), "auth.clientSecret",
                            "a client-secret system needs auth.clientSecret."),
                    trimmed(scope), null, null, null);
            case SMART_BACKEND -> smartBackend(previous, spareKey);
            default -> none();
        };
    }

    /**
     * Whether validating this auth against a stored one of type {@code storedType} would keep a stored secret: same
     * type, and the secret that type needs left out.
     */
    public boolean keepsStoredSecret(String storedType) {
        String kind = type == null ? NONE : type.strip();
        if (!kind.equals(storedType)) {
            return false;
        }
        return switch (kind) {
            case BEARER -> token == null || token.isBlank();
            case CLIENT_SECRET -> clientSecret == null || clientSecret.isBlank();
            case SMART_BACKEND -> privateKey == null || privateKey.isBlank();
            default -> false;
        };
    }

    /** Whether validating this auth may generate a key pair ({@code smart-backend} without a private key). */
    public boolean mayGenerateKey() {
        return type != null && SMART_BACKEND.equals(type.strip()) && (privateKey == null || privateKey.isBlank());
    }

    /** The algorithm this auth asks for, RS384 when none is given. */
    public String algorithmOrDefault() {
        return trimmed(algorithm) == null ? "RS384" : algorithm.strip();
    }

    private FhirSystemAuth smartBackend(FhirSystemAuth previous, String spareKey) {
        String alg = trimmed(algorithm) == null ? "RS384" : algorithm.strip();
        if (!ALGORITHMS.contains(alg)) {
            throw ProblemException.invalid("auth.algorithm", "auth.algorithm must be RS384 or ES384.");
        }
        String id = required(trimmed(clientId), "auth.clientId", "a smart-backend system needs auth.clientId.");
        String key = secretOr(privateKey, previous.privateKey());
        boolean generated = false;
        if (key == null) {
            // No key given and none stored: a key pair is generated; the EHR gets its public half from jwksUrl.
            key = spareKey != null ? spareKey : SmartBackendKeys.generate(alg);
            generated = true;
        } else if (privateKey != null && !privateKey.isBlank()) {
            checkPrivateKey(privateKey, alg);
        } else if (!alg.equals(previous.algorithm())) {
            checkPrivateKey(key, alg);
        }
        String kid = trimmed(keyId);
        if (kid == null) {
            kid = !generated && key.equals(previous.privateKey()) && previous.keyId() != null
                    ? previous.keyId()
                    : thumbprint(key, alg);
        }
        String url = trimmed(tokenUrl) == null ? null : FhirBaseUrl.normalise(tokenUrl, "auth.tokenUrl");
        return new FhirSystemAuth(SMART_BACKEND, null, url, id, null, trimmed(scope), key, kid, alg);
    }

    private static String thumbprint(String pem, String alg) {
        try {
            return SmartBackendKeys.thumbprint(pem, alg);
        } catch (GeneralSecurityException e) {
            throw ProblemException.invalid("auth.privateKey", "auth.privateKey is not a usable " + alg + " key.");
        }
    }

    /** Checks that {@code pem} is an unencrypted PKCS#8 key of the family {@code algorithm} signs with. */
    static void checkPrivateKey(String pem, String algorithm) {
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw ProblemException.invalid("auth.privateKey", "auth.privateKey is a PKCS#1/SEC1 key: convert it "
                    + "to PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt -in key.pem'.");
        }
        if (pem.contains("ENCRYPTED PRIVATE KEY")) {
            throw ProblemException.invalid("auth.privateKey", "auth.privateKey is encrypted: give it unencrypted.");
        }
        Matcher matcher = PKCS8_PEM.matcher(pem);
        if (!matcher.find()) {
            throw ProblemException.invalid("auth.privateKey", "auth.privateKey must be a PEM PKCS#8 private key "
                    + "(-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----).");
        }
        String family = algorithm.startsWith("RS") ? "RSA" : "EC";
        PrivateKey key;
        try {
            byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
            key = KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw ProblemException.invalid("auth.privateKey",
                    "auth.privateKey is not a valid " + family + " private key, which " + algorithm + " needs.");
        }
        if (key instanceof ECPrivateKey ec && !SmartBackendKeys.isP384(ec)) {
            throw ProblemException.invalid("auth.privateKey", "auth.privateKey must be a P-384 (secp384r1) key "
                    + "for ES384.");
        }
        if (family.equals("RSA") && !(key instanceof RSAPrivateCrtKey)) {
            throw ProblemException.invalid("auth.privateKey", "auth.privateKey must be an RSA key with its CRT "
                    + "parameters (as openssl writes it).");
        }
    }

    private static String secretOr(String given, String stored) {
        return given == null || given.isBlank() ? stored : given.strip();
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String required(String value, String field, String message) {
        if (value == null) {
            throw ProblemException.invalid(field, message);
        }
        return value;
    }

    @Override
    public String toString() {
        return "FhirSystemAuth[type=" + type + ", clientId=" + clientId + ", tokenUrl=" + tokenUrl + ", hasSecret="
                + hasSecret() + "]";
    }
}
