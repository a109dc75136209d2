package org.fhirsnapshot.mrn;

import org.fhirsnapshot.problem.ProblemException;

/** The project has no active MRN with the value asked for. The detail never repeats the MRN. */
public class MrnNotFoundException extends ProblemException {

    public MrnNotFoundException(String projectKey) {
        super(404, "Not found", "Project '" + projectKey
                + "' has no active MRN with that value. It may never have been added, or was removed already.");
    }
}
