package org.fhirsnapshot.testinfra;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;

/**
 * The authorisation rules every service follows, as a table a test walks: each {@link Caller} against each endpoint's
 * {@link Access} gives one expected {@link Outcome}. A test sends the call with {@link Caller#authorization} and checks
 * the answer with {@link Outcome#matches}.
 */
public final class AccessMatrix {

    /** The detail that only the "no role in this project (or no such project)" 404 carries. */
    public static final String NO_ROLE_DETAIL = "that you have a role in";

    private static final LocalTokenIssuer FOREIGN = LocalTokenIssuer.fromPem(LocalTokenIssuer.generatePrivateKeyPem());

    private AccessMatrix() {
    }

    /** Who may call an endpoint. */
    public enum Access {
        /** Anyone, without a token (the JWK Set the EHR reads). */
        PUBLIC,
        /** Any valid token. */
        AUTHENTICATED,
        /** {@code admin} only. */
        ADMIN,
        /** FHIR Snapshot's services only (internal endpoints). */
        SERVICE,
        /** A reader (or more) of the project in the path, or admin. */
        READER,
        /** An exporter (or more) of the project in the path, or admin. */
        EXPORTER,
        /** A manager of the project in the path, or admin. */
        MANAGER
    }

    /** The answer an access check gives. */
    public enum Outcome {
        /** Past the access check: any answer but 401, 403 or the no-role 404 (and never a 5xx). */
        ALLOWED,
        /** 401 with a Bearer challenge. */
        UNAUTHORIZED,
        /** 403. */
        FORBIDDEN,
        /** The 404 of a project the caller has no role in, the same as for a project that does not exist. */
        NOT_FOUND;

        /** Whether an answer's status and problem detail are this outcome. */
        public boolean matches(int status, String body) {
            String text = body == null ? "" : body;
            return switch (this) {
                case ALLOWED -> status < 500 && status != 401 && status != 403
                        && !(status == 404 && text.contains(NO_ROLE_DETAIL));
                case UNAUTHORIZED -> status == 401;
                case FORBIDDEN -> status == 403;
                case NOT_FOUND -> status == 404 && text.contains(NO_ROLE_DETAIL);
            };
        }
    }

    /** A caller of a project-scoped API, relative to "the project" of the call. */
    public enum Caller {
        ANONYMOUS, EXPIRED_TOKEN, FOREIGN_KEY_TOKEN, NO_ROLE, READER, EXPORTER, MANAGER, MANAGER_OF_ANOTHER_PROJECT, ADMIN, SERVICE;

        /** The {@code Authorization} header value for a call about {@code projectKey}; null for no header. */
        public String authorization(String projectKey) {
            String token = switch (this) {
                case ANONYMOUS -> null;
                case EXPIRED_TOKEN -> TestTokens.expiredAdmin();
                case FOREIGN_KEY_TOKEN -> FOREIGN.issue("intruder", List.of("admin"), Duration.ofMinutes(5));
                case NO_ROLE -> TestTokens.user("nobody");
                case READER, EXPORTER, MANAGER -> TestTokens.projectUser(projectKey,
                        name().toLowerCase(Locale.ROOT));
                case MANAGER_OF_ANOTHER_PROJECT -> TestTokens.projectUser(projectKey + "-other", "manager");
                case ADMIN -> TestTokens.admin();
                case SERVICE -> TestTokens.service();
            };
            return token == null ? null : "Bearer " + token;
        }

        /** What this caller gets from an endpoint with this access rule. */
        public Outcome expected(Access access) {
            if (access == Access.PUBLIC) {
                return Outcome.ALLOWED;
            }
            if (Set.of(ANONYMOUS, EXPIRED_TOKEN, FOREIGN_KEY_TOKEN).contains(this)) {
                return Outcome.UNAUTHORIZED;
            }
            return switch (access) {
                case PUBLIC, AUTHENTICATED -> Outcome.ALLOWED;
                case ADMIN -> this == ADMIN ? Outcome.ALLOWED : Outcome.FORBIDDEN;
                case SERVICE -> this == SERVICE ? Outcome.ALLOWED : Outcome.FORBIDDEN;
                case READER, EXPORTER, MANAGER -> projectOutcome(access);
            };
        }

        private Outcome projectOutcome(Access access) {
            if (this == ADMIN) {
                return Outcome.ALLOWED;
            }
            int needed = List.of(Access.READER, Access.EXPORTER, Access.MANAGER).indexOf(access);
            int has = List.of(READER, EXPORTER, MANAGER).indexOf(this);
            if (has < 0) {
                return Outcome.NOT_FOUND;
            }
            return has >= needed ? Outcome.ALLOWED : Outcome.FORBIDDEN;
        }
    }
}
