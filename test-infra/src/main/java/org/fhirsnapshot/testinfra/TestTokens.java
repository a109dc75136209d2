package org.fhirsnapshot.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;

/**
 * Bearer tokens for tests, signed with test-infra's test-only key ({@code test-oidc-key.pem}), which every
 * {@code @QuarkusTest} trusts through test-infra's {@code META-INF/microprofile-config.properties}. Real tokens,
 * verified by quarkus-oidc as in production; only the key is a test one.
 */
public final class TestTokens {

    private static final Duration LIFETIME = Duration.ofMinutes(30);
    private static final LocalTokenIssuer ISSUER = LocalTokenIssuer.fromPem(testKeyPem());
    private static final String ADMIN = user("test-admin", "admin");
    private static final String SERVICE = user("test-service", "service");

    private TestTokens() {
    }

    /** An administrator ({@code admin}). */
    public static String admin() {
        return ADMIN;
    }

    /** A FHIR Snapshot service ({@code service}). */
    public static String service() {
        return SERVICE;
    }

    /** A user with one role in one project ({@code project:{key}:{role}}). */
    public static String projectUser(String projectKey, String role) {
        return user("test-" + role, "project:" + projectKey + ":" + role);
    }

    /** A user with exactly these groups (none: an authenticated user without any role). */
    public static String user(String name, String... groups) {
        return ISSUER.issue(name, List.of(groups), LIFETIME);
    }

    /** A token that expired a minute ago, otherwise valid for an admin. */
    public static String expiredAdmin() {
        return ISSUER.issue("test-admin", List.of("admin"), Duration.ofMinutes(-1));
    }

    /** The signer, for tokens of other shapes. */
    public static LocalTokenIssuer issuer() {
        return ISSUER;
    }

    /** The test key's PEM, for processes a test starts (passed as {@code fhir-snapshot.security.local-key}). */
    public static String testKeyPem() {
        try (InputStream in = TestTokens.class.getResourceAsStream("/test-oidc-key.pem")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
