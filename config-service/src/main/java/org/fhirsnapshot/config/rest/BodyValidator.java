package org.fhirsnapshot.config.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;

/**
 * Checks a request body's bean-validation annotations and reports the fields as a client wrote them
 * ({@code auth.type}, not {@code create.body.auth.type}).
 */
@ApplicationScoped
public class BodyValidator {

    private final Validator validator;

    public BodyValidator(Validator validator) {
        this.validator = validator;
    }

    /**
     * @throws ProblemException 400 listing every offending field, or saying that the body is missing
     */
    public <T> T validate(T body) {
        if (body == null) {
            throw new ProblemException(400, "Invalid request", "The request needs a JSON body.");
        }
        List<Problem.FieldError> errors = validator.validate(body).stream()
                .map(v -> new Problem.FieldError(v.getPropertyPath().toString(), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field)).toList();
        if (!errors.isEmpty()) {
            String detail = errors.stream().map(e -> e.field() + " " + e.message()).collect(Collectors.joining("; "));
            throw new ProblemException(400, "Invalid request", detail, errors);
        }
        return body;
    }
}
