package org.fhirsnapshot.security;

import org.fhirsnapshot.problem.ProblemException;

/** The problems a project-scoped call can meet before it runs, worded the same by every service. */
public final class ProjectAccessDenied {

    private ProjectAccessDenied() {
    }

    /**
     * A project the caller may not see, or that does not exist: the same answer for both, so that a caller with no
     * role in a project learns nothing about it. Services answer their own "no such project" with this too.
     */
    public static ProblemException notFound(String projectKey) {
        return ProblemException.notFound("There is no project '" + projectKey + "' that you have a role in. Check the "
                + "key in the address, or ask an administrator for a role in the project.");
    }

    /** A caller whose role in the project is too small for the call. */
    public static ProblemException roleTooSmall(String projectKey, ProjectRole has, ProjectRole needs) {
        return new ProblemException(403, "Forbidden", "Your role in project '" + projectKey + "' is " + has.label()
                + "; this call needs " + needs.label() + " (or admin).");
    }
}
