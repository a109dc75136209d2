package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import ca.uhn.fhir.context.FhirContext;

/** The sandbox misbehaving on request, driven over HTTP through {@code /sandbox/faults} (and its Java API). */
class SandboxFaultsTest {

    private static final String EPIC_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";
    private static final String LABORATORY = "Observation?category=laboratory";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();

    @AfterEach
    void resetFaults() throws Exception {
        assertThat(send("DELETE", null).statusCode()).isEqualTo(204);
    }

    @Test
    void startsWithoutFaultsAndPostedFaultsAreServedBackUntilDeleted() throws Exception {
        assertThat(JSON.readValue(send("GET", null).body(), SandboxFaults.class)).isEqualTo(SandboxFaults.none());

        HttpResponse<String> posted = post("""
                {"transientErrorRate":0.25,"latencyMillis":5,"rateLimitPerSecond":100,
                 "epicCode":{"p001":"4119","p002":"4118"},
                 "throttleWindow":{"retryAfterSeconds":2,"windowMillis":1000}}""");

        SandboxFaults expected = SandboxFaults.none().withTransientErrorRate(0.25).withLatencyMillis(5)
                .withRateLimitPerSecond(100).withEpicCode("p001", "4119").withEpicCode("p002", "4118")
                .withThrottleWindow(2, 1000);
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(JSON.readValue(posted.body(), SandboxFaults.class)).isEqualTo(expected);
        assertThat(RUNNING.sandbox().faults().current()).isEqualTo(expected);
        assertThat(send("DELETE", null).statusCode()).isEqualTo(204);
        assertThat(RUNNING.sandbox().faults().current()).isEqualTo(SandboxFaults.none());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"transientErrorRate\":1.5}", "{\"latencyMillis\":-1}", "{\"rateLimitPerSecond\":-2}",
            "{\"epicCode\":{\"p001\":\"4999\"}}", "{\"transientErrorRat\":0.1}", "not json",
            "{\"throttleWindow\":{\"retryAfterSeconds\":0,\"windowMillis\":1000}}",
            "{\"throttleWindow\":{\"retryAfterSeconds\":2,\"windowMillis\":0}}",
            "{\"throttleWindow\":{\"retryAfter\":2,\"windowMillis\":1000}}"})
    void refusesInvalidFaultsWith400AndKeepsTheCurrentOnes(String body) throws Exception {
        RUNNING.sandbox().faults().set(SandboxFaults.none().withLatencyMillis(1));

        HttpResponse<String> response = post(body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(RUNNING.sandbox().faults().current()).isEqualTo(SandboxFaults.none().withLatencyMillis(1));
    }

    @Test
    void rateLimitAnswers429WithRetryAfterPastTheBucketAndCountsThrottledRequests() throws Exception {
        SandboxStats before = RUNNING.sandbox().stats();
        // One token refilled every 100 s: no refill can come between these requests, however slow the machine.
        // The refill itself is proven with a hand-moved clock in FaultInjectorTest.
        post("{\"rateLimitPerSecond\":0.01}");

        List<HttpResponse<String>> responses = getTimes("Patient?_id=p001", 5);

        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 429, 429, 429, 429);
        assertThat(responses.subList(1, 5)).allSatisfy(response -> assertThat(
                response.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
                        seconds -> assertThat(seconds).isBetween(1L, 100L)));
        assertThat(RUNNING.client().parse(responses.get(1).body(), OperationOutcome.class).getIssueFirstRep().getCode())
                .isEqualTo(IssueType.THROTTLED);
        SandboxStats after = stats();
        assertThat(after.throttled() - before.throttled()).isEqualTo(4);
        assertThat(after.requests() - before.requests()).isEqualTo(5);
        assertThat(after.transientErrors()).isEqualTo(before.transientErrors());
    }

    @Test
    void throttleWindowAnswers429WithItsRetryAfterToEveryRequestInsideItAndCountsThem() throws Exception {
        SandboxStats before = RUNNING.sandbox().stats();
        post("{\"throttleWindow\":{\"retryAfterSeconds\":3,\"windowMillis\":600000}}");

        List<HttpResponse<String>> responses = getTimes("Patient?_id=p001", 4);

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(429).hasSize(4);
        assertThat(responses).allSatisfy(response -> assertThat(response.headers().firstValue("Retry-After"))
                .hasValue("3"));
        assertThat(RUNNING.client().parse(responses.get(0).body(), OperationOutcome.class).getIssueFirstRep().getCode())
                .isEqualTo(IssueType.THROTTLED);
        SandboxStats after = stats();
        assertThat(after.throttled() - before.throttled()).isEqualTo(4);
        assertThat(after.requests() - before.requests()).isEqualTo(4);
        assertThat(after.searches()).isEqualTo(before.searches());
        assertThat(after.transientErrors()).isEqualTo(before.transientErrors());
    }

    @Test
    void transientErrorsAre503500Or429ChosenBySeedAndRepeatForTheSameSeed() throws Exception {
        SandboxStats before = RUNNING.sandbox().stats();
        post("{\"transientErrorRate\":1.0,\"seed\":7}");
        List<HttpResponse<String>> first = getTimes("Patient?_id=p001", 30);
        post("{\"transientErrorRate\":1.0,\"seed\":7}");
        List<HttpResponse<String>> again = getTimes("Patient?_id=p001", 30);

        List<Integer> statuses = first.stream().map(HttpResponse::statusCode).toList();
        assertThat(statuses).containsOnly(503, 500, 429).contains(503, 500, 429);
        assertThat(again).extracting(HttpResponse::statusCode).containsExactlyElementsOf(statuses);
        assertThat(first).filteredOn(response -> response.statusCode() == 429)
                .allSatisfy(response -> assertThat(response.headers().firstValue("Retry-After")).hasValue("1"));
        SandboxStats after = stats();
        assertThat(after.transientErrors() - before.transientErrors()).isEqualTo(60);
        assertThat(after.throttled()).as("transient 429s are not throttling").isEqualTo(before.throttled());
    }

    @Test
    void transientErrorRateHitsAboutItsShareOfRequests() throws Exception {
        post("{\"transientErrorRate\":0.2,\"seed\":3}");

        long failed = getTimes("Patient?_id=p001", 200).stream().filter(response -> response.statusCode() != 200)
                .count();

        assertThat(failed).isBetween(20L, 60L);
    }

    @Test
    void latencyDelaysEveryFhirRequest() throws Exception {
        post("{\"latencyMillis\":300}");
        long started = System.nanoTime();

        HttpResponse<String> response = RUNNING.client().get("Patient?_id=p001");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4119", "4122"})
    void warningCodeAddsAnEpicWarningOutcomeEntryToThatPatientsSearchsetsOnly(String code) throws Exception {
        post("{\"epicCode\":{\"p001\":\"" + code + "\"}}");

        Bundle marked = RUNNING.client().search("Observation?patient=p001&category=laboratory");
        Bundle other = RUNNING.client().search("Observation?patient=p002&category=laboratory");

        List<String> expectedIds = RUNNING.sandbox().cohort().groundTruth().expectedIds("MRN000001", LABORATORY);
        assertThat(SandboxClient.matchIds(List.of(marked))).containsExactlyElementsOf(expectedIds);
        assertThat(marked.getEntry()).filteredOn(entry -> entry.getSearch().getMode() == SearchEntryMode.OUTCOME)
                .anySatisfy(entry -> {
                    var issue = ((OperationOutcome) entry.getResource()).getIssueFirstRep();
                    assertThat(issue.getSeverity()).isEqualTo(IssueSeverity.WARNING);
                    assertThat(issue.getDetails().getCoding()).extracting(Coding::getSystem, Coding::getCode)
                            .containsExactly(tuple(EPIC_SYSTEM, code));
                });
        assertThat(marked.getTotal()).isEqualTo(expectedIds.size());
        assertThat(other.getEntry()).noneSatisfy(entry -> assertThat(entry.getResource())
                .isInstanceOfSatisfying(OperationOutcome.class, outcome -> assertThat(
                        outcome.getIssueFirstRep().getSeverity()).isEqualTo(IssueSeverity.WARNING)));
    }

    @Test
    void code4118Answers403NotAuthorizedWithoutBreakTheGlassMarkers() throws Exception {
        post("{\"epicCode\":{\"p001\":\"4118\"}}");

        HttpResponse<String> response = RUNNING.client().get("Observation?patient=p001&category=laboratory");

        assertThat(response.statusCode()).isEqualTo(403);
        var issue = RUNNING.client().parse(response.body(), OperationOutcome.class).getIssueFirstRep();
        assertThat(issue.getCode()).isEqualTo(IssueType.FORBIDDEN);
        assertThat(issue.getDetails().getCoding()).extracting(Coding::getSystem, Coding::getCode)
                .containsExactly(tuple(EPIC_SYSTEM, "4118"));
        assertThat(RUNNING.client().get("Observation?patient=p002&category=laboratory").statusCode()).isEqualTo(200);
    }

    @Test
    void code4135Answers429DailyLimit() throws Exception {
        post("{\"epicCode\":{\"p001\":\"4135\"}}");

        HttpResponse<String> response = RUNNING.client().get("MedicationRequest?subject=Patient/p001");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(RUNNING.client().parse(response.body(), OperationOutcome.class).getIssueFirstRep().getDetails()
                .getCoding()).extracting(Coding::getSystem, Coding::getCode)
                .containsExactly(tuple(EPIC_SYSTEM, "4135"));
    }

    @Test
    void code4113ExpiresTheFirstFollowUpPageOfTheNextSearchOnceThenPagingWorks() {
        GroundTruth.PatientTruth heavy = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> truth.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size() == 2_500)
                .findFirst().orElseThrow();
        RUNNING.sandbox().faults().set(SandboxFaults.none().withEpicCode(heavy.patientId(), "4113"));
        String search = "Observation?patient=" + heavy.patientId() + "&category=laboratory&_count=1000";

        Bundle first = RUNNING.client().search(search);
        HttpResponse<String> expired = RUNNING.client().get(first.getLink(Bundle.LINK_NEXT).getUrl());
        List<Bundle> restarted = RUNNING.client().searchAllPages(search);

        assertThat(expired.statusCode()).isEqualTo(400);
        assertThat(RUNNING.client().parse(expired.body(), OperationOutcome.class).getIssueFirstRep().getDetails()
                .getCoding()).extracting(Coding::getSystem, Coding::getCode)
                .containsExactly(tuple(EPIC_SYSTEM, "4113"));
        assertThat(SandboxClient.matchIds(restarted))
                .containsExactlyElementsOf(heavy.resourceIdsBySearch().get(LABORATORY));
        assertThat(RUNNING.client().get(first.getLink(Bundle.LINK_NEXT).getUrl()).statusCode()).isEqualTo(200);
    }

    @Test
    void javaApiSetsTheSameFaultsAsTheEndpoint() throws Exception {
        RUNNING.sandbox().faults().set(SandboxFaults.none().withEpicCode("p001", "4118"));

        assertThat(JSON.readValue(send("GET", null).body(), SandboxFaults.class))
                .isEqualTo(SandboxFaults.none().withEpicCode("p001", "4118"));
        assertThat(RUNNING.client().get("Patient?_id=p001").statusCode()).isEqualTo(403);
        RUNNING.sandbox().faults().reset();
        assertThat(RUNNING.client().get("Patient?_id=p001").statusCode()).isEqualTo(200);
    }

    @Test
    void statsEndpointServesTheNewCounters() throws Exception {
        assertThat(
                JSON.readTree(RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/stats").body()).fieldNames())
                .toIterable().contains("throttled", "transientErrors", "peakRequestsPerSecond");
    }

    @Test
    void peakRequestsPerSecondRestartsWhenFaultsAreSetAndCountsRefusedRequestsToo() throws Exception {
        RUNNING.client().get("Patient?_id=p001");
        post("{\"rateLimitPerSecond\":0.01}");
        assertThat(stats().peakRequestsPerSecond()).isZero();

        List<HttpResponse<String>> responses = getTimes("Patient?_id=p001", 3);

        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 429, 429);
        // However slowly these three came, at least one second held one of them and none held more than three;
        // which requests share a second is proven on a hand-moved clock in RequestCountersTest.
        assertThat(stats().peakRequestsPerSecond()).isBetween(1L, 3L);
    }

    private static List<HttpResponse<String>> getTimes(String url, int times) {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            responses.add(RUNNING.client().get(url));
        }
        return responses;
    }

    private static SandboxStats stats() throws IOException {
        return JSON.readValue(RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/stats").body(),
                SandboxStats.class);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return send("POST", body);
    }

    private static HttpResponse<String> send(String method, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RUNNING.sandbox().rootUrl() + "/sandbox/faults"))
                .header("Content-Type", "application/json")
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

}
