package org.fhirsnapshot.mrn;

import java.util.List;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;

/** An upload carries more MRNs than one request may. */
public class TooManyMrnsException extends ProblemException {

    public TooManyMrnsException(int received, int limit) {
        super(413, "Too many MRNs", tooMany(received, limit),
                List.of(new Problem.FieldError("mrns", tooMany(received, limit))));
    }

    private static String tooMany(int received, int limit) {
        return "One request may carry at most " + limit + " MRNs; this one has " + received
                + ". Nothing was stored: split the list into several requests.";
    }
}
