package org.fhirsnapshot.mrn;

import java.util.List;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;

/**
 * An upload none of whose values is a valid MRN. The problem names each invalid value by its position and reason,
 * never by its value (an MRN is PHI, and a problem detail may end up in a log).
 */
public class NoValidMrnException extends ProblemException {

    /** At most this many field errors; the detail says how many values there were in all. */
    static final int MAX_ERRORS = 100;

    public NoValidMrnException(MrnUpload upload) {
        super(400, "Invalid request", detail(upload), errors(upload));
    }

    private static String detail(MrnUpload upload) {
        return "None of the " + upload.received() + " values is a valid MRN, so nothing was stored. An MRN is 1 to "
                + MrnUpload.MAX_LENGTH + " letters, digits, '-', '.' or '_' (surrounding whitespace is ignored). "
                + "The errors give each invalid value's position (its line in a text upload, its element in a JSON "
                + "list, from 1) and what is wrong with it.";
    }

    private static List<Problem.FieldError> errors(MrnUpload upload) {
        return upload.rejected().stream().limit(MAX_ERRORS)
                .map(r -> new Problem.FieldError("mrns", "position " + r.position() + ": " + r.reason())).toList();
    }
}
