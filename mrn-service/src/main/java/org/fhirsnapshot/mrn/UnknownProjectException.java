package org.fhirsnapshot.mrn;

import org.fhirsnapshot.problem.ProblemException;

/** config-service does not know the project. */
public class UnknownProjectException extends ProblemException {

    public UnknownProjectException(String projectKey) {
        super(404, "Unknown project", "There is no project '" + projectKey
                + "'. Check the key, or create the project in config-service (POST /api/projects) first.");
    }
}
