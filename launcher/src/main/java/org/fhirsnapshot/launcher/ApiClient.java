package org.fhirsnapshot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Calls the public REST APIs of the services as any client would: JSON over HTTP, with a bearer token from its token
 * supplier on every request. The token never appears in a message or an exception.
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Supplier<String> bearerTokens;

    /**
     * A client that sends {@code Authorization: Bearer} with the token {@code bearerTokens} gives for each request
     * (asked again each time, so that it may renew an expiring one).
     */
    public ApiClient(Supplier<String> bearerTokens) {
        this.bearerTokens = bearerTokens;
    }

    /** A client without a token: for servers that need none (the FHIR sandbox), or to show that the APIs refuse it. */
    public static ApiClient anonymous() {
        return new ApiClient(() -> null);
    }

    /** A client that sends this one token. */
    public static ApiClient withToken(String bearerToken) {
        return new ApiClient(() -> bearerToken);
    }

    public JsonNode get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), url);
    }

    public JsonNode delete(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE(), url);
    }

    public JsonNode post(String url, Object body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(toJson(body))), url);
    }

    public JsonNode put(String url, Object body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(toJson(body))), url);
    }

    public JsonNode postText(String url, String text) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(text)), url);
    }

    /**
     * Streams the response body of {@code url} into {@code file}, replacing what was there only once the whole body
     * arrived (it goes to {@code file.part} first); returns its size in bytes.
     */
    public long download(String url, Path file) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            // ofFile(Path) alone would not truncate: an older, longer file would keep its tail.
            HttpResponse<Path> response = http.send(authorized(HttpRequest.newBuilder(URI.create(url))).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING));
            if (response.statusCode() != 200) {
                String body = Files.readString(part);
                Files.deleteIfExists(part);
                throw new ApiException(url, response.statusCode(), body);
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private JsonNode send(HttpRequest.Builder request, String url) {
        try {
            HttpResponse<String> response = http.send(authorized(request).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new ApiException(url, response.statusCode(), response.body());
            }
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        String token = bearerTokens.get();
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private static String toJson(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call answered with an error status; the message carries the problem's detail. */
    public static final class ApiException extends RuntimeException {

        private final int status;

        ApiException(String url, int status, String body) {
            super(url + " answered " + status + ": " + detailOf(body));
            this.status = status;
        }

        public int status() {
            return status;
        }

        private static String detailOf(String body) {
            try {
                JsonNode problem = JSON.readTree(body);
                return problem.path("detail").asText(body);
            } catch (IOException e) {
                return body;
            }
        }
    }
}
