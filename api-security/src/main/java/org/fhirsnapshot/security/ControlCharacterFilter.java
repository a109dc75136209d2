package org.fhirsnapshot.security;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a path or query parameter that holds a control character (U+0000–U+001F, U+007F–U+009F) with a 400 naming
 * the parameter, in every service, before any resource sees it. No identifier, filter or date of ours contains one;
 * a NUL would otherwise reach PostgreSQL (which refuses it in text: a 500) and a CR/LF could reach a log line or a
 * header.
 */
public class ControlCharacterFilter {

    /** A parameter name that may be repeated in the answer as it is. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    @ServerRequestFilter(preMatching = false)
    public Response refuseControlCharacters(ContainerRequestContext request) {
        String path = firstWithControl(request.getUriInfo().getPathParameters());
        if (path != null) {
            return invalid(path);
        }
        String query = firstWithControl(request.getUriInfo().getQueryParameters());
        return query != null ? invalid(query) : null;
    }

    private static String firstWithControl(MultivaluedMap<String, String> parameters) {
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            for (String value : parameter.getValue()) {
                if (value != null && value.chars().anyMatch(Character::isISOControl)) {
                    return parameter.getKey();
                }
            }
        }
        return null;
    }

    private static Response invalid(String parameter) {
        boolean plainName = SAFE_NAME.matcher(parameter).matches();
        String field = plainName ? parameter : "";
        return ProblemException.invalid(field, "The value of " + (plainName ? "'" + parameter + "'" : "a parameter")
                + " contains a control character (such as NUL, CR or LF): remove it.").toProblem().toResponse();
    }
}
