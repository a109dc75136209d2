package org.fhirsnapshot.launcher;

/** Who issues the bearer tokens that the services of the local stack trust. */
public enum IdentityProvider {

    /**
     * No identity provider runs: the services trust the RSA key kept in the stack's data directory
     * ({@link LocalTokens}), and {@code ./fhir-snapshot token} signs tokens with it ({@code up --no-keycloak},
     * {@code run}, the end-to-end tests).
     */
    LOCAL_KEY,

    /** A Keycloak realm started with the stack issues the tokens (not part of the local stack yet). */
    KEYCLOAK
}
