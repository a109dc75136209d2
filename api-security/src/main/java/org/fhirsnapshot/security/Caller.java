package org.fhirsnapshot.security;

import io.quarkus.security.identity.SecurityIdentity;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a verified token lets its bearer do: admin or not, and the highest role in each project. Built from the
 * identity's roles, which quarkus-oidc reads from the configured groups claim.
 *
 * @param name the caller's name (user name or service client), for records such as who downloaded an archive
 * @param admin whether the caller holds {@link SecurityRoles#ADMIN}
 * @param projectRoles the highest role per project key
 */
public record Caller(String name, boolean admin, Map<String, ProjectRole> projectRoles) {

    public Caller {
        projectRoles = Map.copyOf(projectRoles);
    }

    /** The caller behind an identity (anonymous: no name, no roles). */
    public static Caller of(SecurityIdentity identity) {
        String name = identity.isAnonymous() ? "" : identity.getPrincipal().getName();
        return of(name, identity.getRoles());
    }

    /** The caller with these roles. */
    public static Caller of(String name, Set<String> roles) {
        Map<String, ProjectRole> highest = new HashMap<>();
        for (String role : roles) {
            ProjectRole.parseGroup(role).ifPresent(grant -> highest.merge(grant.projectKey(), grant.role(),
                    (a, b) -> a.includes(b) ? a : b));
        }
        return new Caller(name, roles.contains(SecurityRoles.ADMIN), highest);
    }

    /** The caller's role in a project; an admin is a manager everywhere. */
    public Optional<ProjectRole> roleIn(String projectKey) {
        return admin ? Optional.of(ProjectRole.MANAGER) : Optional.ofNullable(projectRoles.get(projectKey));
    }

    /** Whether the caller may see the project at all (any role, or admin). */
    public boolean sees(String projectKey) {
        return roleIn(projectKey).isPresent();
    }
}
