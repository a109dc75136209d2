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
     * 5xx, 408, 429, connection errors and timeouts: {@link DependencyUnavailableException}; other 4xx:
     * {@link DependencyRejectedException}. Other failures pass unchanged.
     */
    static Throwable translate(String service, Throwable failure) {
        if (failure instanceof WebApplicationException web && web.getResponse() != null) {
            int status = web.getResponse().getStatus();
            if (status >= 500 || status == 408 || status == 429) {
                return new DependencyUnavailableException(service + " answered HTTP " + status, failure);
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
