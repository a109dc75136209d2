package org.fhirsnapshot.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every error a service can raise into problem+json: domain errors, validation errors, unreadable JSON, HTTP
 * errors of the framework, and anything unexpected (a 500 that names no class and shows no stack trace; the log
 * keeps the details under a reference the body gives).
 */
public class ProblemExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ProblemExceptionMappers.class);
    /** The message of the IOException Quarkus fails a read with once a chunked body passes the size limit. */
    private static final String QUARKUS_TOO_LARGE = "Request too large";

    @ServerExceptionMapper
    public Response mapProblem(ProblemException e) {
        return e.toProblem().toResponse();
    }

    @ServerExceptionMapper
    public Response mapConstraintViolation(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field())).toList();
        String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        return new Problem("about:blank", "Invalid request", 400, detail, errors).toResponse();
    }

    @ServerExceptionMapper
    public Response mapUnreadableJson(JsonProcessingException e) {
        String field = e instanceof JsonMappingException mapping
                ? mapping.getPath().stream()
                        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                        .collect(Collectors.joining("."))
                : "";
        String detail = field.isEmpty()
                ? "The request body is not valid JSON for this call."
                : "The request body has a value of the wrong type or form at '" + field + "'.";
        List<Problem.FieldError> errors = field.isEmpty() ? List.of() : List.of(new Problem.FieldError(field, detail));
        return new Problem("about:blank", "Unreadable request body", 400, detail, errors).toResponse();
    }

    /**
     * JSON of the wrong shape (an array where an object belongs, text where a number belongs). Quarkus maps this
     * subclass with a built-in mapper to an empty 400, which would win over {@link #mapUnreadableJson}.
     */
    @ServerExceptionMapper
    public Response mapMismatchedInput(MismatchedInputException e) {
        return mapUnreadableJson(e);
    }

    /**
     * Quarkus' JSON reader wraps JSON that does not parse (and values it cannot bind, such as a number beyond an int)
     * in a 400 WebApplicationException: such a 400 gets the same detail as {@link #mapUnreadableJson}.
     */
    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException unreadable) {
            return mapUnreadableJson(unreadable);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
        String detail = switch (status) {
            case 400 -> "The request is not well formed for this call. Check its parameters, headers and body.";
            case 404 -> "There is nothing at this address. Check the path and the identifiers in it.";
            case 405 -> "This address does not accept this HTTP method.";
            case 406 -> "This address cannot answer in the media type asked for in Accept.";
            case 415 -> "This address does not accept the request's Content-Type; send application/json.";
            default -> title + ".";
        };
        return Problem.of(status, title, detail).toResponse();
    }

    /**
     * A body sent in chunks (no {@code Content-Length}) that passes {@code quarkus.http.limits.max-body-size}: Quarkus
     * answers 413 itself and then fails the read with this IOException; it is no unexpected error. Every other I/O
     * failure is one. (A body with a {@code Content-Length} over the limit is {@link BodyLimitProblem}'s.)
     */
    @ServerExceptionMapper
    public Response mapIo(IOException e) {
        if (QUARKUS_TOO_LARGE.equals(e.getMessage())) {
            return Problem.of(413, "Content too large", "The request body is larger than this service accepts.")
                    .toResponse();
        }
        return mapUnexpected(e);
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Exception e) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error, reference %s", reference);
        return Problem.of(500, "Internal error",
                "The service failed to handle this request. Quote reference " + reference + " to an operator.")
                .toResponse();
    }

    /**
     * The field as a client wrote it: {@code size} for a query parameter, {@code auth.type} inside a body (not
     * {@code create.body.auth.type}).
     */
    static String fieldOf(ConstraintViolation<?> violation) {
        List<Path.Node> nodes = new ArrayList<>();
        violation.getPropertyPath().forEach(nodes::add);
        List<Path.Node> named = nodes.stream().filter(n -> n.getKind() != ElementKind.METHOD
                && n.getKind() != ElementKind.CONSTRUCTOR && n.getKind() != ElementKind.RETURN_VALUE).toList();
        boolean insideParameter = named.size() > 1 && named.get(0).getKind() == ElementKind.PARAMETER;
        List<Path.Node> field = insideParameter ? named.subList(1, named.size()) : named;
        return field.stream().map(Path.Node::toString).collect(Collectors.joining("."));
    }
}
