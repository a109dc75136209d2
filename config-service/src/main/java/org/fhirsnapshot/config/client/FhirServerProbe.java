package org.fhirsnapshot.config.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.fhirsnapshot.config.FhirSystemCheck;
import org.fhirsnapshot.config.config.FhirCheckConfig;

/**
 * Asks a FHIR server for its CapabilityStatement ({@code GET {baseUrl}/metadata}) and says in plain words what
 * happened. Non-blocking (Vert.x WebClient); never sends the system's credentials (the metadata endpoint is public
 * in FHIR, and Epic's is).
 */
@ApplicationScoped
public class FhirServerProbe {

    private final WebClient web;
    private final ObjectMapper json;
    private final long timeoutMillis;

    public FhirServerProbe(Vertx vertx, ObjectMapper json, FhirCheckConfig config) {
        this.json = json;
        this.timeoutMillis = config.timeout().toMillis();
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setFollowRedirects(true)
                .setUserAgent("fhir-snapshot-config-service"));
    }

    @PreDestroy
    void close() {
        web.close();
    }

    public Uni<FhirSystemCheck> check(String baseUrl) {
        String url = baseUrl + "/metadata";
        return web.getAbs(url)
                .putHeader("Accept", "application/fhir+json")
                .timeout(timeoutMillis)
                .send()
                .map(response -> interpret(url, response))
                .onFailure().recoverWithItem(failure -> unreachable(url, failure));
    }

    private FhirSystemCheck interpret(String url, HttpResponse<io.vertx.mutiny.core.buffer.Buffer> response) {
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            String hint = switch (status) {
                case 401, 403 -> "the metadata endpoint wants credentials or refuses this client";
                case 404 -> "check the base URL: it must be the FHIR root (such as https://host/fhir), where "
                        + "{baseUrl}/metadata answers";
                default -> status >= 500
                        ? "the server failed; try again later or ask its operators"
                        : "check the base URL";
            };
            return new FhirSystemCheck(false, null, null, status,
                    "The server answered HTTP " + status + " to GET " + url + ": " + hint + ".");
        }
        Buffer body = response.body() == null ? Buffer.buffer() : response.body().getDelegate();
        JsonNode capability;
        try {
            capability = json.readTree(body.getBytes());
        } catch (IOException e) {
            capability = null;
        }
        if (capability == null || !capability.isObject()) {
            return new FhirSystemCheck(false, null, null, status, "The server answered HTTP " + status + " to GET "
                    + url + " but not with JSON: is this the root of a FHIR server?");
        }
        String resourceType = capability.path("resourceType").asText("");
        if (!resourceType.equals("CapabilityStatement")) {
            return new FhirSystemCheck(false, null, null, status, "The server answered HTTP " + status + " to GET "
                    + url + " with " + (resourceType.isEmpty() ? "JSON that is no FHIR resource" : "a " + resourceType)
                    + " instead of a CapabilityStatement: is this the root of a FHIR R4 server?");
        }
        String fhirVersion = text(capability.path("fhirVersion"));
        String software = joined(text(capability.path("software").path("name")),
                text(capability.path("software").path("version")));
        String about = Stream.of(fhirVersion == null ? null : "FHIR " + fhirVersion, software)
                .filter(Objects::nonNull).collect(Collectors.joining(", "));
        String described = about.isEmpty() ? "" : " (" + about + ")";
        if (fhirVersion != null && !fhirVersion.startsWith("4.0")) {
            return new FhirSystemCheck(true, fhirVersion, software, status, "The server answered with a "
                    + "CapabilityStatement for FHIR " + fhirVersion + ", but FHIR Snapshot reads FHIR R4 (4.0.x).");
        }
        return new FhirSystemCheck(true, fhirVersion, software, status,
                "The server answered with a CapabilityStatement" + described + ".");
    }

    private FhirSystemCheck unreachable(String url, Throwable failure) {
        String host = hostOf(url);
        String detail;
        if (isTimeout(failure)) {
            detail = "No answer from " + host + " within " + timeoutMillis / 1000.0 + " s: check the address, "
                    + "the network path and any firewall.";
        } else if (find(failure, UnknownHostException.class) != null) {
            detail = "The host name " + host + " does not resolve: check the base URL.";
        } else if (find(failure, ConnectException.class) != null) {
            detail = "Could not connect to " + host + " (" + messageOf(find(failure, ConnectException.class))
                    + "): check the base URL and that the server is running.";
        } else if (find(failure, SSLException.class) != null) {
            detail = "The TLS handshake with " + host + " failed (" + messageOf(find(failure, SSLException.class))
                    + "): check the certificate and the scheme (https or http).";
        } else {
            detail = "Could not reach " + host + " (" + messageOf(failure) + ").";
        }
        return new FhirSystemCheck(false, null, null, null, detail);
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String messageOf(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private static String hostOf(String url) {
        URI uri = URI.create(url);
        return uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.asText().isBlank() ? node.asText() : null;
    }

    private static String joined(String first, String second) {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + " " + second;
    }
}
