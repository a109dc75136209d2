package org.fhirsnapshot.security;

/** The roles that are not tied to a project. */
public final class SecurityRoles {

    /** Manages FHIR systems and projects, and may do everything in every project. */
    public static final String ADMIN = "admin";
    /** A service of FHIR Snapshot calling another's internal API (client credentials). */
    public static final String SERVICE = "service";

    private SecurityRoles() {
    }
}
