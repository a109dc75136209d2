package org.fhirsnapshot.archive;

import org.fhirsnapshot.problem.ProblemException;

/**
 * A 404 problem: the project has no instance with this id that has a stored payload (no such instance, one of another
 * project, one not fetched yet, or one that failed without a payload). The detail names the project and the instance
 * id, never an MRN.
 */
public class NoStoredPayloadException extends ProblemException {

    public NoStoredPayloadException(String projectKey, long instanceId) {
        super(404, "Not found", "Project '" + projectKey + "' has no instance " + instanceId
                + " with a stored payload: it is not an instance of this project, it has not been fetched yet, or its"
                + " fetch failed without a payload. The project's instances list gives the ids and statuses.");
    }
}
