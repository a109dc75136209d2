package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.fetch.ScriptedEhr.json;
import static org.fhirsnapshot.fetch.ScriptedEhr.observation;
import static org.fhirsnapshot.fetch.ScriptedEhr.page;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the worker copes with an EHR that rate-limits, fails, hangs, pages oddly or wants tokens: a scripted EHR over
 * real HTTP, the worker's real classes.
 */
class EhrMisbehaviourTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static FetchWorkerParts worker;
    private static ScriptedEhr ehr;

    @BeforeAll
    static void start() {
        worker = new FetchWorkerParts(Map.of(
                "fhir-snapshot.fetch.retry.initial-backoff", "10ms",
                "fhir-snapshot.fetch.retry.max-backoff", "2s",
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
        AtomicInteger calls = new AtomicInteger();
        ehr.script(request -> {
            if (calls.incrementAndGet() == 1) {
                request.response().setStatusCode(429).putHeader("Retry-After", "1").end();
            } else {
                json(request, 200, page(null, observation("o1")));
            }
        });
        long started = System.nanoTime();

        FetchResult result = fetch(system(none()));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.completed);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(ehr.received()).hasSize(2);
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

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("rate_limited");
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
    void reportsAnEhrThatDoesNotAnswerInTimeAsTimeout() {
        ehr.script(request -> {
            // never answers
        });

        FetchResult result = fetch(system(none()));

        assertThat(result.errorClass()).isEqualTo("timeout");
        assertThat(result.errorMessage()).isEqualTo("the EHR did not answer in time");
        assertThat(ehr.received()).hasSize(1);
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
                .isEqualTo("the EHR's token endpoint refused the client credentials (HTTP 401)")
                .doesNotContain("wrong");
    }

    @Test
    void failsSmartBackendServicesAsAuthWithAClearMessage() {
        FetchResult result = fetch(system(new AuthSettings("smart-backend", null, null, "client", null, null)));

        assertThat(result.errorClass()).isEqualTo("auth");
        assertThat(result.errorMessage()).contains("SMART Backend Services").contains("not supported");
    }

    private static FetchResult fetch(FhirSystemSettings system) {
        return worker.instances.fetch(claim("Observation"), system).await().atMost(WAIT);
    }

    private static ClaimedInstance claim(String query) {
        return new ClaimedInstance(1, "token", "scripted", 1, 1, "MRN-SECRET", "p1", "Observation", query, 1);
    }

    private static FhirSystemSettings system(AuthSettings auth) {
        return new FhirSystemSettings(1, "scripted", ehr.baseUrl(), null, auth, new Limits(1, 0, 10));
    }

    private static AuthSettings none() {
        return new AuthSettings("none", null, null, null, null, null);
    }
}
