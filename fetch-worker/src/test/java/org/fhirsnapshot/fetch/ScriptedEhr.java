package org.fhirsnapshot.fetch;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An EHR that answers what each test scripts (statuses, Retry-After, odd next links, tokens): the behaviours the
 * sandbox does not misbehave with. Records every request it receives.
 */
final class ScriptedEhr implements AutoCloseable {

    /** One request as the EHR saw it. */
    record Received(String method, String uri, String authorization, String body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpServerRequest> script = request -> request.response().setStatusCode(404).end();

    ScriptedEhr(Vertx vertx) {
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            received.add(new Received(request.method().name(), request.uri(), request.getHeader("Authorization"),
                    body.toString()));
            script.accept(request);
        }));
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the scripted EHR did not start", e);
        }
    }

    void script(Consumer<HttpServerRequest> script) {
        received.clear();
        this.script = script;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/fhir";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    long receivedAt(String pathPrefix) {
        return received.stream().filter(request -> request.uri().startsWith(pathPrefix)).count();
    }

    static void json(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/fhir+json").end(body);
    }

    static String page(String nextUrl, String... entries) {
        String link = nextUrl == null ? "" : ",\"link\":[{\"relation\":\"next\",\"url\":\"" + nextUrl + "\"}]";
        return "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"" + link + ",\"entry\":["
                + String.join(",", entries) + "]}";
    }

    static String observation(String id) {
        return "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"" + id
                + "\"},\"search\":{\"mode\":\"match\"}}";
    }

    @Override
    public void close() {
        server.close();
    }
}
