package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.fetch.ScriptedEhr.json;
import static org.fhirsnapshot.fetch.ScriptedEhr.observation;
import static org.fhirsnapshot.fetch.ScriptedEhr.page;

import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the worker copes with an EHR that rate-limits, fails, hangs, pages oddly or wants tokens: a scripted EHR over
 * real HTTP, the worker's real classes.
 */
class EhrMisbehaviourTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String EPIC = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";
    private static final AtomicLong SYSTEM_IDS = new AtomicLong(1_000);
    private static FetchWorkerParts worker;
    private static ScriptedEhr ehr;

    @BeforeAll
    static void start() {
        worker = new FetchWorkerParts(Map.of(
                "fhir-snapshot.fetch.retry.initial-backoff", "10ms",
                "fhir-snapshot.fetch.retry.max-backoff", "5s",
                "fhir-snapshot.fetch.read-timeout", "500ms",
                "fhir-snapshot.fetch.max-pages", "3"));
        ehr = new ScriptedEhr(worker.vertx.getDelegate());
    }

    @AfterAll
    static void stop() {
        ehr.close();
        worker.close();
    }

    @Test
    void waitsAsRetryAfterAsksThenCompletes() {
        ThrottleWindow window = new ThrottleWindow(() -> "1");
        ehr.script(window);

        FetchResult result = fetch(system(none()));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(window.refused()).as("a retry sent before Retry-After had passed is refused too").isEqualTo(1);
        assertThat(ehr.received()).hasSize(2);
    }

    @Test
    void a429HoldsBackEveryFetchOfThatSystemUntilRetryAfterHasPassed() {
        ThrottleWindow window = new ThrottleWindow(() -> "1");
        ehr.script(window);
        FhirSystemSettings system = system(none());

        var throttled = worker.instances.fetch(claim("Observation?first=1"), system).subscribeAsCompletionStage();
        // The first fetch met its 429 and the worker closed the system's gate.
        await().atMost(WAIT).until(() -> window.refused() >= 1 && !worker.coolDown.remaining(system.id()).isZero());
        FetchResult concurrent = worker.instances.fetch(claim("Observation?second=1"), system).await().atMost(WAIT);

        assertThat(window.refused()).as("requests answered 429: the first fetch's first one only").isEqualTo(1);
        assertThat(throttled.join().outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(concurrent.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(ehr.received()).extracting(ScriptedEhr.Received::uri).hasSize(3)
                .containsOnlyOnce("/fhir/Observation?second=1&patient=p1&_count=10");
    }

    @Test
    void givesUpAfterThreeRetriesOfA503AsServerError() {
        ehr.script(request -> request.response().setStatusCode(503).end());

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("server_error");
        assertThat(result.errorMessage()).isEqualTo("the EHR failed with HTTP 503");
        assertThat(ehr.received()).hasSize(4);
    }

    @Test
    void doesNotWaitForARetryAfterLongerThanTheMaximumBackoff() {
        ehr.script(request -> request.response().setStatusCode(429).putHeader("Retry-After", "3600").end());

        FhirSystemSettings system = system(none());

        FetchResult result = fetch(system);
        FetchResult meanwhile = fetch(system);

        assertThat(result.errorClass()).isEqualTo("rate_limited");
        assertThat(meanwhile.errorClass()).isEqualTo("rate_limited");
        assertThat(meanwhile.errorMessage()).startsWith("the EHR asked for a pause of 3");
        assertThat(ehr.received()).hasSize(1);
    }

    @Test
    void doesNotRetryAPermanentError() {
        ehr.script(request -> json(request, 400, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":"
                + "\"error\",\"code\":\"invalid\"}]}"));

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("invalid_spec");
        assertThat(ehr.received()).hasSize(1);
    }

    @Test
    void retriesAnEhrThatDoesNotAnswerInTimeThenReportsTimeout() {
        ehr.script(request -> {
            // never answers
        });

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("timeout");
        assertThat(result.errorMessage()).isEqualTo("the EHR did not answer in time");
        assertThat(ehr.received()).hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 504})
    void retriesServerErrorsThenCompletes(int status) {
        AtomicInteger calls = new AtomicInteger();
        ehr.script(request -> {
            if (calls.incrementAndGet() <= 2) {
                request.response().setStatusCode(status).end();
            } else {
                json(request, 200, page(null, observation("o1")));
            }
        });

        FetchResult result = fetch(system(none()));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(ehr.received()).hasSize(3);
    }

    @Test
    void honoursARetryAfterGivenAsAnHttpDate() {
        // The second after the next whole one: more than 1 s (the window is 0.5 s) and at most 2 s away.
        ThrottleWindow window = new ThrottleWindow(503, () -> DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).plusSeconds(2)));
        ehr.script(window);

        FetchResult result = fetch(system(none()));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(window.refused()).as("a retry sent before the date had passed is refused too").isEqualTo(1);
        assertThat(ehr.received()).hasSize(2);
    }

    @Test
    void failsAsServerErrorWhenEpicPagingExpiresAgainAfterOneRestart() {
        ehr.script(request -> {
            if (request.uri().contains("page=2")) {
                json(request, 400, OperationOutcomeClassifierTest.outcome("error", "processing", EPIC, "4113"));
            } else {
                json(request, 200, page(ehr.baseUrl() + "/Observation?page=2", observation("o1")));
            }
        });

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("server_error");
        assertThat(result.errorMessage())
                .isEqualTo("the EHR's paging session expired again after the search was run again (Epic 4113)");
        assertThat(ehr.received()).extracting(ScriptedEhr.Received::uri).containsExactly(
                "/fhir/Observation?patient=p1&_count=10", "/fhir/Observation?page=2",
                "/fhir/Observation?patient=p1&_count=10", "/fhir/Observation?page=2");
    }

    @Test
    void epicDailyLimitUnder429FailsAtOnceAndDoesNotHoldTheSystemBack() {
        AtomicInteger calls = new AtomicInteger();
        ehr.script(request -> {
            if (calls.incrementAndGet() == 1) {
                request.response().setStatusCode(429).putHeader("Retry-After", "3600")
                        .putHeader("Content-Type", "application/fhir+json")
                        .end(OperationOutcomeClassifierTest.outcome("error", "throttled", EPIC, "4135"));
            } else {
                json(request, 200, page(null, observation("o1")));
            }
        });
        FhirSystemSettings system = system(none());

        FetchResult limited = fetch(system);
        FetchResult next = fetch(system);

        assertThat(limited.errorClass()).isEqualTo("daily_limit");
        assertThat(next.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(ehr.received()).hasSize(2);
    }

    @Test
    void retriesARefusedConnectionThenReportsNetwork() {
        FhirSystemSettings unreachable = new FhirSystemSettings(9, "gone", "http://127.0.0.1:1/fhir", null, none(),
                new Limits(1, 0, 10));

        FetchResult result = fetch(unreachable);

        assertThat(result.errorClass()).isEqualTo("network");
        assertThat(result.errorMessage()).doesNotContain("127.0.0.1").doesNotContain("p1");
    }

    @Test
    void refusesToFollowANextLinkToAnotherHost() {
        ehr.script(request -> json(request, 200, page("http://other.example.org/fhir?page=2", observation("o1"))));

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("invalid_paging");
        assertThat(ehr.received()).hasSize(1);
    }

    @Test
    void stopsAtAPagingLoopWithAWarningAndEveryPageOnce() {
        ehr.script(request -> {
            boolean second = request.uri().contains("page=2");
            json(request, 200, second
                    ? page(ehr.baseUrl() + "/Observation?patient=p1&_count=10", observation("o2"))
                    : page(ehr.baseUrl() + "/Observation?page=2", observation("o1")));
        });

        FetchResult result = fetch(system(none()));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(result.pagination().pages()).isEqualTo(2);
        assertThat(result.pagination().resources()).isEqualTo(2);
        assertThat(result.warnings()).containsExactly(
                "the EHR's paging led back to a page already read; stopped after 2 pages");
    }

    @Test
    void failsASearchWithMorePagesThanAllowedAsTooLarge() {
        AtomicInteger pages = new AtomicInteger();
        ehr.script(request -> {
            int n = pages.incrementAndGet();
            json(request, 200, page(ehr.baseUrl() + "/Observation?page=" + (n + 1), observation("o" + n)));
        });

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("too_large");
        assertThat(result.errorMessage()).isEqualTo("the search has more than 3 pages; it was stopped");
        assertThat(ehr.received()).hasSize(3);
    }

    @Test
    void sendsAStaticBearerToken() {
        ehr.script(request -> json(request, 200, page(null, observation("o1"))));

        FetchResult result = fetch(system(new AuthSettings("bearer", "static-token", null, null, null, null)));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(ehr.received()).allSatisfy(
                request -> assertThat(request.authorization()).isEqualTo("Bearer static-token"));
    }

    @Test
    void getsAClientCredentialsTokenOnceRenewsItAfterA401AndNeverLeaksTheSecret() {
        AtomicInteger issued = new AtomicInteger();
        AtomicReference<String> accepted = new AtomicReference<>();
        ehr.script(request -> {
            if (request.path().endsWith("/token")) {
                String token = "tok-" + issued.incrementAndGet();
                accepted.set("Bearer " + token);
                json(request, 200,
                        "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":3600}");
            } else if (accepted.get().equals(request.getHeader("Authorization"))) {
                json(request, 200, page(null, observation("o1")));
            } else {
                request.response().setStatusCode(401).end();
            }
        });
        AuthSettings secret = new AuthSettings("client-secret", null, ehr.baseUrl() + "/token", "worker",
                "s3cr3t:&", "system/*.read");
        FhirSystemSettings system = new FhirSystemSettings(77, "oauth", ehr.baseUrl(), null, secret,
                new Limits(1, 0, 10));

        FetchResult first = worker.instances.fetch(claim("Observation?first=1"), system).await().atMost(WAIT);
        accepted.set("revoked");
        FetchResult second = worker.instances.fetch(claim("Observation?second=1"), system).await().atMost(WAIT);

        assertThat(first.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(second.outcome()).as("%s %s", second.errorClass(), second.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        assertThat(ehr.receivedAt("/fhir/token")).isEqualTo(2);
        ScriptedEhr.Received tokenRequest = ehr.received().get(0);
        assertThat(tokenRequest.method()).isEqualTo("POST");
        assertThat(tokenRequest.body()).contains("grant_type=client_credentials").contains("scope=system");
        assertThat(tokenRequest.authorization()).startsWith("Basic ");
        assertThat(ehr.received()).extracting(ScriptedEhr.Received::uri).containsExactly(
                "/fhir/token", "/fhir/Observation?first=1&patient=p1&_count=10",
                "/fhir/Observation?second=1&patient=p1&_count=10",
                "/fhir/token", "/fhir/Observation?second=1&patient=p1&_count=10");
    }

    @Test
    void failsAClientCredentialsSystemWhoseTokenEndpointRefusesAsAuth() {
        ehr.script(request -> json(request, 401, "{\"error\":\"invalid_client\"}"));
        AuthSettings secret = new AuthSettings("client-secret", null, ehr.baseUrl() + "/token", "worker", "wrong",
                null);

        FetchResult result = fetch(new FhirSystemSettings(78, "oauth", ehr.baseUrl(), null, secret,
                new Limits(1, 0, 10)));

        assertThat(result.errorClass()).isEqualTo("auth");
        assertThat(result.errorMessage())
                .startsWith("The token endpoint refused the request with HTTP 401 (invalid_client)")
                .doesNotContain("wrong");
    }

    @Test
    void failsSmartBackendServicesWithoutAPrivateKeyAsAuthWithAClearMessage() {
        FetchResult result = fetch(system(new AuthSettings("smart-backend", null, null, "client", null, null)));

        assertThat(result.errorClass()).isEqualTo("auth");
        assertThat(result.errorMessage()).contains("smart-backend").contains("private key");
    }

    private static FetchResult fetch(FhirSystemSettings system) {
        return worker.instances.fetch(claim("Observation"), system).await().atMost(WAIT);
    }

    private static ClaimedInstance claim(String query) {
        return new ClaimedInstance(1, "token", "scripted", 1, 1, "MRN-SECRET", "p1", "Observation", query, 1);
    }

    /** A FHIR system of its own per call: the worker's 429 gate is per system. */
    private static FhirSystemSettings system(AuthSettings auth) {
        return new FhirSystemSettings(SYSTEM_IDS.incrementAndGet(), "scripted", ehr.baseUrl(), null, auth,
                new Limits(1, 0, 10));
    }

    private static AuthSettings none() {
        return new AuthSettings("none", null, null, null, null, null);
    }

    /**
     * A scripted EHR that refuses every request within {@link #WINDOW} of its first one (429, or the status given,
     * with the {@code Retry-After} computed at that first request) and serves a page after it. Its Retry-After is
     * longer than the window, so a client that honours it is refused once, whatever the machine's speed; a client
     * that does not is refused again: the tests count refusals, they do not time anything.
     */
    private static final class ThrottleWindow implements Consumer<HttpServerRequest> {

        static final Duration WINDOW = Duration.ofMillis(500);

        private final int status;
        private final Supplier<String> retryAfter;
        private final AtomicInteger refused = new AtomicInteger();
        private Long firstArrival;
        private String firstRetryAfter;

        ThrottleWindow(Supplier<String> retryAfter) {
            this(429, retryAfter);
        }

        ThrottleWindow(int status, Supplier<String> retryAfter) {
            this.status = status;
            this.retryAfter = retryAfter;
        }

        @Override
        public synchronized void accept(HttpServerRequest request) {
            long now = System.nanoTime();
            if (firstArrival == null) {
                firstArrival = now;
                firstRetryAfter = retryAfter.get();
            }
            if (now - firstArrival < WINDOW.toNanos()) {
                refused.incrementAndGet();
                request.response().setStatusCode(status).putHeader("Retry-After", firstRetryAfter).end();
            } else {
                json(request, 200, page(null, observation("o1")));
            }
        }

        int refused() {
            return refused.get();
        }
    }
}
