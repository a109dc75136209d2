package org.fhirsnapshot.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;

/**
 * Bearer tokens signed with the local OIDC key of a stack's data directory, which the services of that stack trust
 * when no identity provider runs ({@link IdentityProvider#LOCAL_KEY}). The roles are those of api-security: the
 * groups {@code admin} and {@code project:{key}:{reader|exporter|manager}}.
 * <p>
 * Whoever reads the key file can mint any role; it stays in the data directory, readable by its owner only.
 */
public final class LocalTokens {

    /** A project key as api.md defines it. */
    public static final Pattern PROJECT_KEY = Pattern.compile("[a-z0-9-]{1,64}");
    /** Who the launcher's own calls (and {@code ./fhir-snapshot run}'s) are made as. */
    public static final String LAUNCHER_USER = "fhir-snapshot-launcher";
    /** How long the launcher's own admin tokens live; it takes a new one before the last expires. */
    private static final Duration LAUNCHER_TOKEN_LIFETIME = Duration.ofHours(1);
    private static final Duration RENEW_AHEAD = Duration.ofMinutes(5);

    private final LocalTokenIssuer issuer;
    private final String privateKeyPem;

    private LocalTokens(String privateKeyPem) {
        this.issuer = LocalTokenIssuer.fromPem(privateKeyPem);
        this.privateKeyPem = privateKeyPem;
    }

    /** What a token may do. */
    public enum Role {
        /** FHIR systems, projects, and everything in every project. */
        ADMIN,
        /** A project's status. */
        READER,
        /** A reader who may also download archives and payloads. */
        EXPORTER,
        /** An exporter who may also change MRNs and mappings and start tasks. */
        MANAGER;

        /** The role's name on the command line and in the groups claim. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the role is held in one project (and so needs a project key). */
        public boolean inProject() {
            return this != ADMIN;
        }

        /** The group that grants this role: {@code admin}, or {@code project:{key}:{role}}. */
        public String group(String projectKey) {
            return inProject() ? "project:" + projectKey + ":" + label() : label();
        }

        /** A role by its label, case-insensitively. */
        public static Optional<Role> fromLabel(String label) {
            for (Role role : values()) {
                if (role.label().equalsIgnoreCase(label)) {
                    return Optional.of(role);
                }
            }
            return Optional.empty();
        }
    }

    /** The tokens of the key in {@code dataDirectory}, created (RSA 2048, owner-only) when missing. */
    public static LocalTokens loadOrCreate(Path dataDirectory) {
        LocalTokenIssuer.loadOrCreate(dataDirectory);
        return existing(dataDirectory).orElseThrow();
    }

    /** The tokens of the key in {@code dataDirectory}, if a stack started there has created one. */
    public static Optional<LocalTokens> existing(Path dataDirectory) {
        Path file = keyFile(dataDirectory);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LocalTokens(Files.readString(file, StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the local OIDC key " + file, e);
        }
    }

    /** Where the key of a stack's data directory is kept. */
    public static Path keyFile(Path dataDirectory) {
        return dataDirectory.resolve(LocalTokenIssuer.KEY_FILE);
    }

    /** The private key (PKCS#8 PEM), for {@code ServiceProperties.localOidc}. Secret. */
    public String privateKeyPem() {
        return privateKeyPem;
    }

    /**
     * A token for {@code user} with {@code role} ({@code projectKey} for a project role, null for admin).
     *
     * @throws IllegalArgumentException when the project key is missing, not needed or not a project key
     */
    public String issue(Role role, String projectKey, String user, Duration lifetime) {
        if (role.inProject() && (projectKey == null || !PROJECT_KEY.matcher(projectKey).matches())) {
            throw new IllegalArgumentException("a " + role.label() + " token needs a project key ([a-z0-9-]{1,64})");
        }
        if (!role.inProject() && projectKey != null) {
            throw new IllegalArgumentException("admin holds every project: an admin token takes no project key");
        }
        return issue(user, List.of(role.group(projectKey)), lifetime);
    }

    /** A token for {@code subject} with exactly these groups, for tests of what the services accept. */
    public String issue(String subject, Collection<String> groups, Duration lifetime) {
        return issuer.issue(subject, groups, lifetime);
    }

    /** An admin token for {@code user}, valid an hour. */
    public String admin(String user) {
        return issue(Role.ADMIN, null, user, LAUNCHER_TOKEN_LIFETIME);
    }

    /** Admin tokens of {@link #LAUNCHER_USER}, each reused until a few minutes before it expires. */
    public Supplier<String> launcherAdminTokens() {
        return renewing(LAUNCHER_USER, List.of(Role.ADMIN.group(null)));
    }

    /**
     * Tokens for {@code subject} with these groups (such as {@code service}, for a program that plays a service's
     * part), each valid an hour and reused until a few minutes before it expires.
     */
    public Supplier<String> renewing(String subject, Collection<String> groups) {
        List<String> granted = List.copyOf(groups);
        return new Supplier<>() {
            private String token;
            private Instant renewAt = Instant.MIN;

            @Override
            public synchronized String get() {
                if (!Instant.now().isBefore(renewAt)) {
                    token = issue(subject, granted, LAUNCHER_TOKEN_LIFETIME);
                    renewAt = Instant.now().plus(LAUNCHER_TOKEN_LIFETIME).minus(RENEW_AHEAD);
                }
                return token;
            }
        };
    }

    @Override
    public String toString() {
        return "LocalTokens[" + LocalTokenIssuer.ISSUER + "]"; // never the key
    }
}
