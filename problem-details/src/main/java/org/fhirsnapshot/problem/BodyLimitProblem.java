package org.fhirsnapshot.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request whose {@code Content-Length} exceeds {@code quarkus.http.limits.max-body-size} gets a 413 problem+json that
 * says the limit (and the service's {@code fhir-snapshot.http.body-limit-hint}), instead of Quarkus' empty 413 (its own
 * check, one route later, answers without a body). The body is read and thrown away (never buffered) before the
 * answer, so that a client that sends its whole body before reading the answer still gets it; a client that goes on
 * sending past {@link #discardAtMost(long)} is cut off, and the connection is closed after the answer. A body sent in
 * chunks, without a length, is still refused by Quarkus' own check once it passes the limit (an empty 413; the
 * failed read that follows is {@link ProblemExceptionMappers#mapIo}'s).
 */
@ApplicationScoped
public class BodyLimitProblem {

    /** Quarkus checks the body size in a route of order -2; this one runs just before it. */
    private static final int ROUTE_ORDER = -3;
    /** Discarding up to this much costs little, however small the limit. */
    private static final long DISCARD_AT_LEAST = 16L * 1024 * 1024;
    /** With a large limit, a body up to this many times it is still read to its end. */
    private static final long DISCARD_LIMIT_TIMES = 2;

    private final long limit;
    private final byte[] problem;

    public BodyLimitProblem(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBodySize,
            HttpProblemConfig config, ObjectMapper json) {
        this.limit = maxBodySize.asLongValue();
        try {
            this.problem = json.writeValueAsBytes(Problem.of(413, "Content too large",
                    detail(limit, config.bodyLimitHint())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem", e);
        }
    }

    void register(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::refuseOversizedBody);
    }

    private void refuseOversizedBody(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            declared = -1; // Vert.x refuses a malformed Content-Length itself
        }
        if (declared <= limit) {
            context.next();
            return;
        }
        long cutOffAt = discardAtMost(limit);
        long[] discarded = {0};
        context.request().handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > cutOffAt) {
                context.request().connection().close();
            }
        });
        context.request().endHandler(end -> context.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close").end(Buffer.buffer(problem)));
        context.request().resume();
    }

    /** The problem's detail: the limit in the largest whole unit, then the hint. */
    static String detail(long limit, Optional<String> hint) {
        String size;
        if (limit % (1024 * 1024) == 0) {
            size = limit / (1024 * 1024) + " MiB";
        } else if (limit % 1024 == 0) {
            size = limit / 1024 + " KiB";
        } else {
            size = limit + " bytes";
        }
        return "The request body is larger than the " + size + " this service accepts, so it was not read."
                + hint.filter(h -> !h.isBlank()).map(h -> " " + h.strip()).orElse("");
    }

    /**
     * How much of a refused body is read and thrown away before the connection is cut: twice the limit, and at least
     * 16 MiB (a small limit's multiple would cut off most clients before they could read the answer).
     */
    static long discardAtMost(long limit) {
        long times = limit > Long.MAX_VALUE / DISCARD_LIMIT_TIMES ? Long.MAX_VALUE : limit * DISCARD_LIMIT_TIMES;
        return Math.max(DISCARD_AT_LEAST, times);
    }
}
