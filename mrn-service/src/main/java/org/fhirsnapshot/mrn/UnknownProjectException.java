package org.fhirsnapshot.mrn;

import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.ProjectAccessDenied;

/**
 * config-service does not know the project. The same problem (status, title, detail) as a caller without a role in
 * the project gets ({@link ProjectAccessDenied#notFound}), so that nobody can tell the two apart.
 */
public class UnknownProjectException extends ProblemException {

    public UnknownProjectException(String projectKey) {
        this(ProjectAccessDenied.notFound(projectKey));
    }

    private UnknownProjectException(ProblemException same) {
        super(same.toProblem().status(), same.toProblem().title(), same.getMessage());
    }
}
