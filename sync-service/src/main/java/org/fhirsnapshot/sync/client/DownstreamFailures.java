package org.fhirsnapshot.sync.client;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Translates what a REST client throws into {@link DownstreamUnavailableException} (try again later) or
 * {@link DownstreamRejectedException} (give up), with a message a person can read and no class names.
 */
final class DownstreamFailures {

    private static final Logger LOG = Logger.getLogger(DownstreamFailures.class);

    private DownstreamFailures() {
    }

    static RuntimeException translate(String service, String call, Throwable failure) {
        if (failure instanceof DownstreamUnavailableException || failure instanceof DownstreamRejectedException
                || failure instanceof ProjectNotFoundException) {
            return (RuntimeException) failure;
        }
        if (failure instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            if (status >= 500 || status == 429 || status == 408) {
                return new DownstreamUnavailableException(service + " answered HTTP " + status + " to " + call);
            }
            return new DownstreamRejectedException(service + " refused " + call + " with HTTP " + status);
        }
        Throwable cause = rootCause(failure);
        if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
            return new DownstreamUnavailableException(service + " could not be reached for " + call);
        }
        if (cause instanceof TimeoutException || cause instanceof ConnectTimeoutException
                || cause instanceof java.net.SocketTimeoutException
                // Vert.x reports an idle connection with its own timeout exception type.
                || cause.getClass().getSimpleName().contains("Timeout")) {
            return new DownstreamUnavailableException(service + " did not answer " + call + " in time");
        }
        if (failure instanceof ProcessingException || cause instanceof VertxException
                || cause instanceof java.io.IOException) {
            return new DownstreamUnavailableException(service + " closed the connection during " + call);
        }
        // Most likely an answer we could not read: log the details here, keep the task's error readable.
        LOG.warnf(failure, "Unexpected failure of %s at %s", call, service);
        return new DownstreamRejectedException(service + " gave an answer to " + call + " that could not be used");
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
