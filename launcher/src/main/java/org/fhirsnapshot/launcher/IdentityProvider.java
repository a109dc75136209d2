package org.fhirsnapshot.launcher;

/** Who issues the bearer tokens that the services of the local stack trust. */
public enum IdentityProvider {

    /**
     * No identity provider runs: the services trust the RSA key kept in the stack's data directory
     * ({@link LocalTokens}), and {@code ./fhir-snapshot token} signs tokens with it ({@code up --no-keycloak},
     * {@code run}, the end-to-end tests).
     */
    LOCAL_KEY,

    /**
     * A real Keycloak started with the stack (its data in {@code <data>/keycloak}) issues the tokens: users log in to
     * its realm {@code fhir-snapshot} (a user per role of each project, {@code admin} for the admin role), the
     * services verify its tokens and get their own by client credentials ({@code ./fhir-snapshot up}, the default).
     */
    KEYCLOAK
}
