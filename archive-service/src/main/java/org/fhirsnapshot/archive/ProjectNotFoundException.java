package org.fhirsnapshot.archive;

import org.fhirsnapshot.problem.ProblemException;

/** No project has this key (mrn-service does not know it). */
public class ProjectNotFoundException extends ProblemException {

    public ProjectNotFoundException(String projectKey) {
        super(404, "Project not found", "No project has the key '" + projectKey + "'. Check the key in the address.");
    }
}
