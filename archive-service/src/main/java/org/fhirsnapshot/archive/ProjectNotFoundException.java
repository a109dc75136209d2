package org.fhirsnapshot.archive;

import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.ProjectAccessDenied;

/**
 * No project has this key (mrn-service does not know it). Its problem is {@link ProjectAccessDenied#notFound}'s, word
 * for word: a caller cannot tell a project that does not exist from one they have no role in.
 */
public class ProjectNotFoundException extends ProblemException {

    public ProjectNotFoundException(String projectKey) {
        this(ProjectAccessDenied.notFound(projectKey).toProblem());
    }

    private ProjectNotFoundException(Problem problem) {
        super(problem.status(), problem.title(), problem.detail(), problem.errors());
    }
}
