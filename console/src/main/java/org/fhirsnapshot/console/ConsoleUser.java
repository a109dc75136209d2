package org.fhirsnapshot.console;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who is logged in, as the pages need it: the name, the groups claim, and what it grants, read exactly as the services'
 * api-security reads it ({@code admin}; {@code project:{key}:{reader|exporter|manager}}, each role including the ones
 * before it; the highest role per project counts). The console enforces none of it: the services decide.
 *
 * <p>
 * (A copy of api-security's Caller/ProjectRole parsing rather than a dependency: api-security's bean archive brings
 * REST exception mappers for authentication failures, which would answer a browser's expired session with a bearer
 * 401 instead of quarkus-oidc's login redirect or 499.)
 *
 * @param name the user name ({@code preferred_username})
 * @param groups the groups claim of the access token, sorted
 * @param admin whether the user is an administrator ({@code admin})
 * @param projects project key → the user's highest role there ({@code reader}, {@code exporter}, {@code manager})
 */
public record ConsoleUser(String name, List<String> groups, boolean admin, Map<String, String> projects) {

    /** The roles of a project, least first. */
    public static final List<String> PROJECT_ROLES = List.of("reader", "exporter", "manager");
    public static final String ADMIN = "admin";
    private static final String PROJECT_PREFIX = "project:";

    public ConsoleUser {
        groups = List.copyOf(groups);
        projects = Map.copyOf(projects);
    }

    /** The user with these groups. */
    public static ConsoleUser of(String name, Set<String> groups) {
        Map<String, String> projects = new TreeMap<>();
        for (String group : groups) {
            if (!group.startsWith(PROJECT_PREFIX)) {
                continue;
            }
            int colon = group.lastIndexOf(':');
            if (colon <= PROJECT_PREFIX.length()) {
                continue;
            }
            String key = group.substring(PROJECT_PREFIX.length(), colon);
            int rank = rank(group.substring(colon + 1));
            if (rank >= 0) {
                projects.merge(key, PROJECT_ROLES.get(rank), (a, b) -> rank(a) >= rank(b) ? a : b);
            }
        }
        return new ConsoleUser(name, groups.stream().sorted().toList(), groups.contains(ADMIN), projects);
    }

    private static int rank(String role) {
        for (int i = 0; i < PROJECT_ROLES.size(); i++) {
            if (PROJECT_ROLES.get(i).equalsIgnoreCase(role)) {
                return i;
            }
        }
        return -1;
    }
}
