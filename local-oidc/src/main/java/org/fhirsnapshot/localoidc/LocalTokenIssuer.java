package org.fhirsnapshot.localoidc;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.UUID;

/**
 * Issues bearer tokens for the local stack, where no identity provider runs: RS256 JWTs signed with one RSA key that
 * the services trust through {@code quarkus.oidc.public-key} and {@code quarkus.oidc.token.issuer = }{@link #ISSUER}.
 * The token says who the caller is ({@code sub}, {@code preferred_username}) and what it may do (the groups claim:
 * {@code admin}, {@code service}, {@code project:{key}:{role}}), as a Keycloak token of the production setup does.
 * <p>
 * Whoever holds the private key can mint any role: it stays in the local data directory (mode 0600) and in the
 * processes of the local stack.
 */
public final class LocalTokenIssuer {

    /** The {@code iss} of every local token. */
    public static final String ISSUER = "fhir-snapshot-local";
    /** The claim that carries roles unless configured otherwise. */
    public static final String DEFAULT_GROUPS_CLAIM = "groups";
    /** The key file's name in the data directory. */
    public static final String KEY_FILE = "local-oidc-key.pem";

    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private LocalTokenIssuer(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The issuer of a data directory: its key file, created (RSA 2048, owner-only) when missing. */
    public static LocalTokenIssuer loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                Path part = Files.createTempFile(dataDir, KEY_FILE, ".part");
                trySetOwnerOnly(part);
                Files.writeString(part, generatePrivateKeyPem(), StandardCharsets.US_ASCII);
                try {
                    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    Files.deleteIfExists(part);
                    if (!Files.exists(file)) {
                        throw raced;
                    }
                }
            }
            return fromPem(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the local OIDC key " + file, e);
        }
    }

    /** The issuer of a PKCS#8 PEM RSA private key (as written by {@link #loadOrCreate}). */
    public static LocalTokenIssuer fromPem(String pem) {
        String base64 = pem.replace(PEM_BEGIN, "").replace(PEM_END, "").replaceAll("\\s", "");
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PrivateKey key = rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            if (!(key instanceof RSAPrivateCrtKey crt)) {
                throw new IllegalArgumentException("The local OIDC key must be an RSA private key with CRT values.");
            }
            PublicKey publicKey = rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new LocalTokenIssuer(key, publicKey);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("The local OIDC key is not a PKCS#8 PEM RSA private key.", e);
        }
    }

    /** A new RSA 2048 private key, PKCS#8 PEM. */
    public static String generatePrivateKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
            return PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(der) + "\n" + PEM_END + "\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot generate RSA keys", e);
        }
    }

    /** The public key as {@code quarkus.oidc.public-key} takes it: base64 of the X.509 SubjectPublicKeyInfo. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** The public key, to verify tokens with. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * A signed token.
     *
     * @param subject who the caller is ({@code sub} and {@code preferred_username}): a user name or a service name,
     *        never PHI
     * @param groups the roles: {@code admin}, {@code service}, {@code project:{key}:{role}}
     * @param groupsClaim the claim the services read roles from ({@link #DEFAULT_GROUPS_CLAIM} unless configured)
     * @param lifetime how long it is valid
     */
    public String issue(String subject, Collection<String> groups, String groupsClaim, Duration lifetime) {
        Instant now = Instant.now();
        JwtClaimsBuilder claims = Jwt.claims()
                .issuer(ISSUER)
                .subject(subject)
                .preferredUserName(subject)
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(now.getEpochSecond())
                .expiresAt(now.plus(lifetime).getEpochSecond());
        if (!groups.isEmpty()) {
            // A caller without roles has no groups claim (the JWT builder refuses an empty one).
            claims.claim(groupsClaim, new HashSet<>(groups));
        }
        return claims.jws().algorithm(SignatureAlgorithm.RS256).sign(privateKey);
    }

    /** {@link #issue(String, Collection, String, Duration)} with the default groups claim. */
    public String issue(String subject, Collection<String> groups, Duration lifetime) {
        return issue(subject, groups, DEFAULT_GROUPS_CLAIM, lifetime);
    }

    private static void trySetOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the data directory's own permissions apply.
        }
    }
}
