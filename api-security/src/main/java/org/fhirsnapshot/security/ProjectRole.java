package org.fhirsnapshot.security;

import java.util.Locale;
import java.util.Optional;

/**
 * A caller's role in one project, from the token's groups claim ({@code project:{key}:{role}}). Each role includes
 * the ones before it.
 */
public enum ProjectRole {
    /** Sees the project's status: instances, summary, tasks, events. */
    READER,
    /** A reader who may also download archives and payloads. */
    EXPORTER,
    /** An exporter who may also change MRNs and mappings and start tasks. */
    MANAGER;

    private static final String PREFIX = "project:";

    /** Whether a caller with this role may do what {@code needed} allows. */
    public boolean includes(ProjectRole needed) {
        return compareTo(needed) >= 0;
    }

    /** The role's name in the groups claim and the API: {@code reader}, {@code exporter}, {@code manager}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The group that grants this role in a project: {@code project:{key}:{role}}. */
    public String group(String projectKey) {
        return PREFIX + projectKey + ":" + label();
    }

    /** A role by its label, case-insensitively. */
    public static Optional<ProjectRole> fromLabel(String label) {
        for (ProjectRole role : values()) {
            if (role.label().equalsIgnoreCase(label)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** A group's project key and role, or nothing when the group is not a project group of a known role. */
    static Optional<Grant> parseGroup(String group) {
        if (group == null || !group.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int colon = group.lastIndexOf(':');
        if (colon <= PREFIX.length()) {
            return Optional.empty();
        }
        String key = group.substring(PREFIX.length(), colon);
        return fromLabel(group.substring(colon + 1)).map(role -> new Grant(key, role));
    }

    /** One project group. */
    record Grant(String projectKey, ProjectRole role) {
    }
}
