package org.fhirsnapshot.sync.rest;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.fhirsnapshot.problem.Problem;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A request body with a field the call does not know (see {@link StrictJson}): 400 naming it and the known ones. */
public class UnknownFieldMapper {

    /** Longer field names are cut: the answer should not carry back whatever a client put there. */
    private static final int MAX_ECHOED = 64;

    @ServerExceptionMapper
    public Response mapUnknownField(UnrecognizedPropertyException e) {
        String field = e.getPropertyName() == null ? "" : e.getPropertyName();
        if (field.length() > MAX_ECHOED) {
            field = field.substring(0, MAX_ECHOED) + "...";
        }
        String known = e.getKnownPropertyIds() == null
                ? ""
                : " Known fields: " + String.join(", ", e.getKnownPropertyIds().stream().map(String::valueOf)
                        .sorted().toList()) + ".";
        String detail = "The request body has a field this call does not know: '" + field + "'." + known;
        return new Problem("about:blank", "Unreadable request body", 400, detail,
                List.of(new Problem.FieldError(field, "unknown field"))).toResponse();
    }
}
