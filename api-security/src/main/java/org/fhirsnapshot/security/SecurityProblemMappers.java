package org.fhirsnapshot.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.fhirsnapshot.problem.Problem;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 and 403 as problem+json, with the {@code WWW-Authenticate: Bearer} challenge of RFC 6750 on a 401. (Proactive
 * authentication is off, so that these failures reach the REST layer and its mappers.)
 */
public class SecurityProblemMappers {

    @ServerExceptionMapper
    public Response mapAuthenticationFailed(AuthenticationFailedException e) {
        return invalidToken();
    }

    @ServerExceptionMapper
    public Response mapUnauthorized(UnauthorizedException e) {
        return unauthorized("This call needs a bearer token: send 'Authorization: Bearer <token>'.");
    }

    @ServerExceptionMapper
    public Response mapForbidden(ForbiddenException e) {
        return forbidden("Your token does not carry the role this call needs.");
    }

    /** 401 for a request without a token. */
    static Response unauthorized(String detail) {
        return Response.fromResponse(Problem.of(401, "Unauthorized", detail).toResponse())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    /** 401 for a token that is malformed, expired, of another issuer or badly signed. */
    static Response invalidToken() {
        return Response.fromResponse(Problem.of(401, "Unauthorized", "The bearer token is not valid here: it is "
                + "expired, malformed, or not issued by this deployment's identity provider. Get a new one.")
                .toResponse()).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"").build();
    }

    /** 403 for a caller whose token lacks the role. */
    static Response forbidden(String detail) {
        return Problem.of(403, "Forbidden", detail).toResponse();
    }
}
