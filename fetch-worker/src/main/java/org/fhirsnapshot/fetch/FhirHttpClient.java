package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * GETs one FHIR URL of an EHR, non-blocking on the Vert.x event loop: {@code Accept: application/fhir+json}, the
 * system's Authorization, its connect and read timeouts ({@link EhrTimeouts}: the read timeout is the request's idle
 * timeout). Every request sent (retries included, token requests not) first takes a permit of the system's shared
 * rate limit ({@link SharedRateLimit}) when the system has one. Inside one fetch attempt it tries again as
 * {@link RetryPolicy} says (429, 500, 502, 503, 504, timeouts and connection errors; exponential backoff with
 * jitter; {@code Retry-After} honoured). A 429 also closes the system's gate ({@link SystemCoolDown}) so that every
 * fetch of this worker waits before its next request to that system; a request meeting a gate closed for longer
 * than {@code retry.max-backoff} fails {@code rate_limited} without being sent. After a 401 it renews a client-credentials or SMART token once.
 * Answers every HTTP status (the caller classifies it); fails only with a {@link FetchFailure} ({@code timeout},
 * {@code network}, {@code auth}, {@code rate_limited}). URLs are never logged or put in a message: they may carry an
 * MRN or a patient id.
 */
@ApplicationScoped
public class FhirHttpClient {

    static final String FHIR_JSON = "application/fhir+json";
    static final String TRANSPORT_ERROR = "transport_error";
    private static final List<String> STATUS_CLASSES = List.of("2xx", "3xx", "4xx", "429", "5xx", TRANSPORT_ERROR);
    private static final List<String> RETRY_REASONS = List.of("rate_limited", "server_error", TRANSPORT_ERROR);

    private final WebClient web;
    private final Vertx vertx;
    private final EhrAuthorization authorization;
    private final FetchConfig config;
    private final RetryPolicy retries;
    private final SystemCoolDown coolDown;
    private final SharedRateLimit rateLimit;
    private final MeterRegistry registry;
    private final Set<Long> systemsSeen = ConcurrentHashMap.newKeySet();

    public FhirHttpClient(WebClient web, Vertx vertx, EhrAuthorization authorization, FetchConfig config,
            RetryPolicy retries, SystemCoolDown coolDown, SharedRateLimit rateLimit, MeterRegistry registry) {
        this.web = web;
        this.vertx = vertx;
        this.authorization = authorization;
        this.config = config;
        this.retries = retries;
        this.coolDown = coolDown;
        this.rateLimit = rateLimit;
        this.registry = registry;
    }

    /**
     * The EHR's answer to {@code GET url}, after the retries that the answer allows.
     *
     * @param deadline the total timeout of the fetch the request belongs to
     */
    public Uni<FhirResponse> get(FhirSystemSettings system, String url, FetchDeadline deadline) {
        return attempt(system, url, deadline, 0, null, false);
    }

    /**
     * @param retry the number of this try (0 for the first)
     * @param rejected the Authorization value the EHR answered 401 to, to be replaced in this try, or null
     * @param renewed whether the token was already renewed once for this request
     */
    private Uni<FhirResponse> attempt(FhirSystemSettings system, String url, FetchDeadline deadline, int retry,
            String rejected, boolean renewed) {
        String[] sent = new String[1];
        // The gate first: a permit is for a request sent now, not one held back by a 429.
        return throughGate(system)
                .chain(() -> rateLimit.acquire(system, deadline))
                .chain(() -> authorization.header(system, rejected))
                .chain(header -> {
                    sent[0] = header.orElse(null);
                    return send(system, url, header);
                })
                .onItemOrFailure().transformToUni((response, failure) -> {
                    if (failure == null) {
                        countResponse(system, statusClass(response.status()));
                    }
                    if (failure != null) {
                        if (failure instanceof FetchFailure) {
                            return Uni.createFrom().failure(failure);
                        }
                        countResponse(system, TRANSPORT_ERROR);
                        Optional<Duration> wait = retries.afterFailure(retry, failure);
                        if (wait.isPresent()) {
                            countRetry(system, TRANSPORT_ERROR);
                            return delay(wait.get())
                                    .chain(() -> attempt(system, url, deadline, retry + 1, null, renewed));
                        }
                        return Uni.createFrom().failure(transportFailure(failure));
                    }
                    if (response.status() == 401 && !renewed && sent[0] != null && authorization.renewable(system)) {
                        return attempt(system, url, deadline, retry, sent[0], true);
                    }
                    if (!RetryPolicy.TRANSIENT_STATUSES.contains(response.status())) {
                        return Uni.createFrom().item(response);
                    }
                    JsonNode body = FhirJson.parse(response.body()).orElse(null);
                    if (response.status() == 429 && RetryPolicy.isTransient(429, body)) {
                        // The whole system slows down, not only this request: the next try waits at the gate,
                        // and every replica's permits wait for the pause too.
                        Duration pause = retries.waitAfter(retry, response.retryAfter());
                        coolDown.slowDown(system.id(), pause);
                        rateLimit.slowDown(system, pause);
                    }
                    Optional<Duration> wait = retries.afterResponse(retry, response.status(), response.retryAfter(),
                            body);
                    if (wait.isEmpty()) {
                        return Uni.createFrom().item(response);
                    }
                    countRetry(system, response.status() == 429 ? "rate_limited" : "server_error");
                    Uni<Void> pause = response.status() == 429 ? Uni.createFrom().voidItem() : delay(wait.get());
                    return pause.chain(() -> attempt(system, url, deadline, retry + 1, null, renewed));
                });
    }

    /**
     * {@code fhir_snapshot_ehr_responses_total{fhir_system_id,status}}: every answer of the EHR (token requests not
     * included) by status class ({@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 429}, {@code 5xx}) or
     * {@code transport_error} (timeout, refused, reset). Labels are the system's id and a closed set: never a URL.
     */
    private void countResponse(FhirSystemSettings system, String status) {
        if (systemsSeen.add(system.id())) {
            // Every series of a system from its first request on, at 0: rate() and the alerts see a start, and a
            // dashboard shows "no 429s" rather than no data.
            STATUS_CLASSES.forEach(each -> responses(system, each));
            RETRY_REASONS.forEach(each -> retries(system, each));
        }
        responses(system, status).increment();
    }

    private Counter responses(FhirSystemSettings system, String status) {
        return Counter.builder("fhir.snapshot.ehr.responses")
                .description("Answers of an EHR to the worker's requests, by FHIR system and status class")
                .tag("fhir_system_id", Long.toString(system.id())).tag("status", status).register(registry);
    }

    /** {@code fhir_snapshot_ehr_retries_total{fhir_system_id,reason}}: requests tried again inside one fetch. */
    private void countRetry(FhirSystemSettings system, String reason) {
        retries(system, reason).increment();
    }

    private Counter retries(FhirSystemSettings system, String reason) {
        return Counter.builder("fhir.snapshot.ehr.retries")
                .description("Requests to an EHR tried again (429, 5xx, transport error), by FHIR system and reason")
                .tag("fhir_system_id", Long.toString(system.id())).tag("reason", reason).register(registry);
    }

    static String statusClass(int status) {
        return status == 429 ? "429" : (status / 100) + "xx";
    }

    /** Waits while the system's gate is closed; fails {@code rate_limited} when it stays closed too long. */
    private Uni<Void> throughGate(FhirSystemSettings system) {
        return Uni.createFrom().deferred(() -> {
            Duration closed = coolDown.remaining(system.id());
            if (closed.isZero()) {
                return Uni.createFrom().voidItem();
            }
            if (closed.compareTo(retries.maxBackoff()) > 0) {
                return Uni.createFrom().failure(new FetchFailure(ErrorClass.RATE_LIMITED,
                        "the EHR asked for a pause of " + Math.max(1, closed.toSeconds())
                                + " s after a 429 Too Many Requests; the request was not sent"));
            }
            // Then look again: another fetch may have met a 429 meanwhile and closed the gate for longer.
            return delay(retries.withJitter(closed)).chain(() -> throughGate(system));
        });
    }

    private Uni<FhirResponse> send(FhirSystemSettings system, String url, Optional<String> authorizationHeader) {
        return Uni.createFrom().deferred(() -> {
            EhrTimeouts timeouts = EhrTimeouts.of(system, config);
            HttpRequest<Buffer> request = web.getAbs(url)
                    .putHeader("Accept", FHIR_JSON)
                    .connectTimeout(timeouts.connect().toMillis())
                    .idleTimeout(timeouts.read().toMillis());
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

    /** A transport failure in words without the URL (Vert.x's messages include it, and it may hold an MRN). */
    static FetchFailure transportFailure(Throwable failure) {
        if (failure instanceof FetchFailure fetchFailure) {
            return fetchFailure;
        }
        if (failure instanceof ConnectTimeoutException || failure instanceof TimeoutException
                && String.valueOf(failure.getMessage()).contains("getting a connection")) {
            // Vert.x: "The timeout of … ms has been exceeded when getting a connection to …" (the request's own
            // connect timeout); Netty's ConnectTimeoutException (the client's).
            return new FetchFailure(ErrorClass.TIMEOUT, "the EHR did not accept a connection in time");
        }
        if (failure instanceof TimeoutException) {
            return new FetchFailure(ErrorClass.TIMEOUT, "the EHR did not answer in time");
        }
        return new FetchFailure(ErrorClass.NETWORK,
                "the EHR could not be reached (connection refused, reset or closed)");
    }
}
