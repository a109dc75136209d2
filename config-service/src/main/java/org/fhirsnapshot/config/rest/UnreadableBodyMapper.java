package org.fhirsnapshot.config.rest;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.core.Response;
import org.fhirsnapshot.problem.ProblemExceptionMappers;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * JSON of the wrong shape (an array where an object belongs, a string where a number belongs) as problem+json.
 * Quarkus maps {@link MismatchedInputException} with a built-in mapper to an empty 400, which wins over the shared
 * mapper for its superclass; this one hands it to the shared mapper. Belongs in problem-details (reported).
 */
public class UnreadableBodyMapper {

    private final ProblemExceptionMappers shared = new ProblemExceptionMappers();

    @ServerExceptionMapper
    public Response mapMismatchedInput(MismatchedInputException e) {
        return shared.mapUnreadableJson(e);
    }
}
