package org.fhirsnapshot.security;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks every call to a project-scoped address ({@code {key}} in the path) against the caller's role in that project,
 * before the resource method runs, in every service alike:
 * <ul>
 * <li>{@code /api/...}: the method's {@link RequiresProjectRole}; no role in the project (or no such project key) →
 * 404, a lesser role → 403, admin → allowed. A method with neither {@link RequiresProjectRole} nor
 * {@code @RolesAllowed} is refused (fail closed) and logged as a defect;</li>
 * <li>{@code /internal/...}: only the {@link SecurityRoles#SERVICE} role (besides the resource's own
 * {@code @RolesAllowed}).</li>
 * <li>both: a {@code {key}} that is not of the form of a project key is a 404 before any query sees it.</li>
 * </ul>
 * Anonymous callers get 401 from here or from the default {@code @RolesAllowed("**")} of every endpoint.
 */
public class ProjectAccessFilter {

    private static final Logger LOG = Logger.getLogger(ProjectAccessFilter.class);
    /** The form every project key has ({@code api.md}); anything else names no project. */
    private static final Pattern PROJECT_KEY = Pattern.compile("[a-z0-9-]{1,64}");

    private final CurrentIdentityAssociation identities;

    public ProjectAccessFilter(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    @ServerRequestFilter
    public Uni<Response> checkProjectAccess(ContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        boolean internal = path.startsWith("/internal/");
        String projectKey = request.getUriInfo().getPathParameters().getFirst("key");
        Method method = resource.getResourceMethod();
        if (method == null || (!internal && projectKey == null)) {
            return Uni.createFrom().nullItem();
        }
        if (internal) {
            return identities.getDeferredIdentity().map(identity -> {
                Response refused = requireService(identity);
                return refused != null || projectKey == null ? refused : malformedKey(projectKey);
            });
        }
        RequiresProjectRole needed = requiredRole(resource);
        if (needed == null) {
            if (declaresOwnRoles(resource)) {
                return Uni.createFrom().nullItem();
            }
            LOG.errorf("%s.%s is project-scoped but declares no @RequiresProjectRole: refused",
                    resource.getResourceClass().getSimpleName(), method.getName());
            return Uni.createFrom().item(new ProblemException(403, "Forbidden",
                    "This endpoint declares no project role, so nobody may call it. Report this to an operator.")
                    .toProblem().toResponse());
        }
        return identities.getDeferredIdentity().map(identity -> check(identity, projectKey, needed.value()));
    }

    private static Response requireService(SecurityIdentity identity) {
        if (identity.isAnonymous()) {
            return SecurityProblemMappers.unauthorized("This internal address needs a service's bearer token.");
        }
        if (!identity.hasRole(SecurityRoles.SERVICE)) {
            return SecurityProblemMappers.forbidden("Internal addresses are for FHIR Snapshot's services only.");
        }
        return null;
    }

    private static Response check(SecurityIdentity identity, String projectKey, ProjectRole needed) {
        if (identity.isAnonymous()) {
            return SecurityProblemMappers.unauthorized("This call needs a bearer token.");
        }
        Caller caller = Caller.of(identity);
        Response malformed = malformedKey(projectKey);
        if (malformed != null) {
            return malformed;
        }
        ProjectRole has = caller.roleIn(projectKey).orElse(null);
        if (has == null) {
            return ProjectAccessDenied.notFound(projectKey).toProblem().toResponse();
        }
        if (!has.includes(needed)) {
            return ProjectAccessDenied.roleTooSmall(projectKey, has, needed).toProblem().toResponse();
        }
        return null;
    }

    /** A 404 for a key no project can have (it never reaches a query), or null for a well-formed key. */
    private static Response malformedKey(String projectKey) {
        if (PROJECT_KEY.matcher(projectKey).matches()) {
            return null;
        }
        return ProblemException.notFound("There is no project with this key: project keys are 1 to 64 characters "
                + "a-z, 0-9 and '-'.").toProblem().toResponse();
    }

    private static RequiresProjectRole requiredRole(ResourceInfo resource) {
        RequiresProjectRole onMethod = resource.getResourceMethod().getAnnotation(RequiresProjectRole.class);
        return onMethod != null ? onMethod : resource.getResourceClass().getAnnotation(RequiresProjectRole.class);
    }

    private static boolean declaresOwnRoles(ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        return Arrays.stream(new Object[]{method.getAnnotation(RolesAllowed.class),
                resource.getResourceClass().getAnnotation(RolesAllowed.class), method.getAnnotation(PermitAll.class)})
                .anyMatch(a -> a != null && !(a instanceof RolesAllowed r && Arrays.asList(r.value()).contains("**")));
    }
}
