package org.fhirsnapshot.console.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.List;
import java.util.Locale;
import org.fhirsnapshot.problem.Problem;

/**
 * What the proxy changes in a service's answer, and nothing else: no cookie from a service reaches the console's
 * origin; an answer that says nothing about caching is not stored by the browser (it may hold PHI); JSON and text are
 * compressed when the browser accepts it, streams (events, ZIPs) are passed as they come. A service that cannot be
 * reached is a 502 problem.
 */
final class ForwardingRules implements ProxyInterceptor {

    /** Compressed by the console (quarkus.http.enable-compression): small structured answers. */
    private static final List<String> COMPRESSIBLE = List.of("application/json", "application/problem+json",
            "application/fhir+json", "text/plain");

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest().recover(failure -> {
            Problem problem = Problem.of(502, "Bad Gateway", "The service that answers this address cannot be "
                    + "reached right now. Try again in a moment; if it persists, ask an operator to check it.");
            ProxyResponse response = context.request().response().setStatusCode(502)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .setBody(Body.body(Buffer.buffer(Json.encode(problem))));
            return Future.succeededFuture(response);
        });
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        MultiMap headers = context.response().headers();
        headers.remove(HttpHeaders.SET_COOKIE);
        if (!headers.contains(HttpHeaders.CACHE_CONTROL)) {
            headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        HttpServerResponse sent = context.request().proxiedRequest().response();
        String type = headers.get(HttpHeaders.CONTENT_TYPE);
        if (!headers.contains(HttpHeaders.CONTENT_ENCODING)) {
            if (compressible(type)) {
                // Let the HTTP layer compress it (Quarkus marks every answer 'identity' unless told otherwise).
                sent.headers().remove(HttpHeaders.CONTENT_ENCODING);
            } else {
                // Events must reach the browser as they come, and ZIPs are compressed already.
                sent.headers().set(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
            }
        }
        Future<Void> sending = context.sendResponse();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream") && !sent.headWritten()) {
            // Vert.x would hold the head back until the first event: the page's EventSource opens now.
            sent.writeHead();
        }
        return sending;
    }

    private static boolean compressible(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return COMPRESSIBLE.stream().anyMatch(type::startsWith);
    }
}
