package org.fhirsnapshot.problem;

import java.util.List;

/**
 * A domain error that becomes a problem+json response. Its message is the {@code detail}: write it for the person
 * who must fix the request, and never put PHI (an MRN, clinical data) or a secret in it.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public ProblemException(int status, String title, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    /** A request that is invalid because of one field. */
    public static ProblemException invalid(String field, String detail) {
        return new ProblemException(400, "Invalid request", detail, List.of(new Problem.FieldError(field, detail)));
    }

    public Problem toProblem() {
        return new Problem("about:blank", title, status, getMessage(), errors);
    }
}
