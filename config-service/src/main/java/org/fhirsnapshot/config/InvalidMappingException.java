package org.fhirsnapshot.config;

import java.util.List;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;

/**
 * A mapping resource that cannot be saved: its spec, type, params or name is wrong. Becomes a 400 problem naming the
 * field and saying exactly why. The message never repeats a parameter value (a value could identify a patient).
 */
public class InvalidMappingException extends ProblemException {

    private final String field;

    public InvalidMappingException(String field, String message) {
        super(400, "Invalid mapping", message, List.of(new Problem.FieldError(field, message)));
        this.field = field;
    }

    /** The offending field: {@code name}, {@code type}, {@code spec}, {@code params} or {@code params.<name>}. */
    public String field() {
        return field;
    }
}
