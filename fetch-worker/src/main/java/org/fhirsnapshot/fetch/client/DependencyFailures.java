package org.fhirsnapshot.fetch.client;

import io.vertx.core.VertxException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Translates what a REST client call to another service failed with into the worker's terms. */
final class DependencyFailures {

    private DependencyFailures() {
    }

    /**
     * 5xx, 408, 429, connection errors and timeouts: {@link DependencyUnavailableException}; 401 and 403 too (the
     * service refused this worker's service token: a deployment fault to fix, not a reason to fail instances, so the
     * worker waits and tries again with a fresh token); other 4xx: {@link DependencyRejectedException}. Other failures
     * pass unchanged.
     */
    static Throwable translate(String service, Throwable failure) {
        if (failure instanceof WebApplicationException web && web.getResponse() != null) {
            int status = web.getResponse().getStatus();
            if (status >= 500 || status == 408 || status == 429) {
                return new DependencyUnavailableException(service + " answered HTTP " + status, failure);
            }
            if (status == 401 || status == 403) {
                return new DependencyUnavailableException(service + " refused this worker's service token (HTTP "
                        + status + "): check fhir-snapshot.security.local-key or the quarkus.oidc-client settings",
                        failure);
            }
            return new DependencyRejectedException(service + " refused the request with HTTP " + status, failure);
        }
        if (failure instanceof ProcessingException || failure instanceof IOException
                || failure instanceof VertxException
                || failure instanceof TimeoutException) {
            return new DependencyUnavailableException(service + " could not be reached", failure);
        }
        return failure;
    }

    static int status(Throwable failure) {
        return failure instanceof WebApplicationException web && web.getResponse() != null
                ? web.getResponse().getStatus()
                : -1;
    }
}
