package org.fhirsnapshot.fetch;

import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * GETs one FHIR URL of an EHR, non-blocking on the Vert.x event loop: {@code Accept: application/fhir+json}, the
 * system's Authorization, the read timeout. Inside one fetch attempt it retries 429, 503 and connection errors up
 * to {@code fhir-snapshot.fetch.retry.max-retries} times with exponential backoff and jitter, honouring
 * {@code Retry-After}; after a 401 it renews a client-credentials token once. Answers every HTTP status (the
 * caller classifies it); fails only with a {@link FetchFailure} ({@code timeout}, {@code network}, {@code auth}).
 * URLs are never logged or put in a message: they may carry an MRN or a patient id.
 */
@ApplicationScoped
public class FhirHttpClient {

    static final String FHIR_JSON = "application/fhir+json";

    private final WebClient web;
    private final Vertx vertx;
    private final EhrAuthorization authorization;
    private final FetchConfig config;

    public FhirHttpClient(WebClient web, Vertx vertx, EhrAuthorization authorization, FetchConfig config) {
        this.web = web;
        this.vertx = vertx;
        this.authorization = authorization;
        this.config = config;
    }

    /** The EHR's answer to {@code GET url}, after the retries that the answer allows. */
    public Uni<FhirResponse> get(FhirSystemSettings system, String url) {
        return attempt(system, url, 0, null, false);
    }

    /**
     * @param rejected the Authorization value the EHR answered 401 to, to be replaced in this try, or null
     * @param renewed whether the token was already renewed once for this request
     */
    private Uni<FhirResponse> attempt(FhirSystemSettings system, String url, int retry, String rejected,
            boolean renewed) {
        String[] sent = new String[1];
        return authorization.header(system, rejected)
                .chain(header -> {
                    sent[0] = header.orElse(null);
                    return send(url, header);
                })
                .onItemOrFailure().transformToUni((response, failure) -> {
                    if (failure != null) {
                        if (isConnectionError(failure) && retry < config.retry().maxRetries()) {
                            return delay(backoff(retry)).chain(() -> attempt(system, url, retry + 1, null, renewed));
                        }
                        return Uni.createFrom().failure(transportFailure(failure));
                    }
                    if (response.status() == 401 && !renewed && sent[0] != null && authorization.renewable(system)) {
                        return attempt(system, url, retry, sent[0], true);
                    }
                    if ((response.status() == 429 || response.status() == 503)
                            && retry < config.retry().maxRetries()) {
                        Duration wait = retryAfter(response.retryAfter()).orElse(backoff(retry));
                        if (wait.compareTo(config.retry().maxBackoff()) > 0) {
                            return Uni.createFrom().item(response);
                        }
                        return delay(wait).chain(() -> attempt(system, url, retry + 1, null, renewed));
                    }
                    return Uni.createFrom().item(response);
                });
    }

    private Uni<FhirResponse> send(String url, Optional<String> authorizationHeader) {
        return Uni.createFrom().deferred(() -> {
            HttpRequest<Buffer> request = web.getAbs(url)
                    .putHeader("Accept", FHIR_JSON)
                    .timeout(config.readTimeout().toMillis());
            authorizationHeader.ifPresent(value -> request.putHeader("Authorization", value));
            return request.send();
        }).map(FhirHttpClient::toResponse);
    }

    private static FhirResponse toResponse(HttpResponse<Buffer> response) {
        Buffer body = response.body();
        return new FhirResponse(response.statusCode(), response.getHeader("Content-Type"),
                response.getHeader("Retry-After"), body == null ? new byte[0] : body.getBytes());
    }

    /** A Vert.x timer: the continuation runs on the caller's event loop. */
    private Uni<Void> delay(Duration wait) {
        long millis = Math.max(1, wait.toMillis());
        return Uni.createFrom().emitter(emitter -> vertx.setTimer(millis, id -> emitter.complete(null)));
    }

    /** {@code initial × 2^retry}, capped, with "equal jitter": half fixed, half random. */
    Duration backoff(int retry) {
        long initial = config.retry().initialBackoff().toMillis();
        long cap = config.retry().maxBackoff().toMillis();
        long base = Math.min(cap, initial * (1L << Math.min(retry, 20)));
        long half = Math.max(1, base / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; empty when absent or unreadable. */
    static Optional<Duration> retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** Connection errors are retried; a timeout is not (the request may still be running at the EHR). */
    static boolean isConnectionError(Throwable failure) {
        return !(failure instanceof FetchFailure) && !(failure instanceof TimeoutException)
                && (failure instanceof IOException || failure instanceof VertxException);
    }

    /** A transport failure in words without the URL (Vert.x's messages include it, and it may hold an MRN). */
    static FetchFailure transportFailure(Throwable failure) {
        if (failure instanceof FetchFailure fetchFailure) {
            return fetchFailure;
        }
        if (failure instanceof TimeoutException) {
            return new FetchFailure(ErrorClass.TIMEOUT, "the EHR did not answer in time");
        }
        return new FetchFailure(ErrorClass.NETWORK,
                "the EHR could not be reached (connection refused, reset or closed)");
    }
}
