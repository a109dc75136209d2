package org.fhirsnapshot.mrn;

import org.fhirsnapshot.problem.ProblemException;

/** config-service could not say whether a project exists (down, slow, or answering with an error). */
public class ConfigServiceUnavailableException extends ProblemException {

    public ConfigServiceUnavailableException(String projectKey) {
        super(503, "Service unavailable", "Could not check project '" + projectKey
                + "' with config-service just now. Nothing was changed; try again in a moment.");
    }
}
