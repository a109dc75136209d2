package org.fhirsnapshot.fetch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.contracts.internal.RequestPermits;
import org.fhirsnapshot.fetch.client.ConfigServiceClient;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The requests-per-second limit shared through config-service (a real process, its Bucket4j bucket in the real
 * PostgreSQL) against the in-JVM sandbox enforcing the same rate: the worker's CDI beans fetch many pages and
 * instances at once, and the sandbox answers none of them 429, where the same work without the limit is throttled.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service"))
class SharedRateLimitTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final int RATE = 10;
    private static final AtomicLong IDS = new AtomicLong(9_000_000);
    private static FhirSandbox sandbox;

    @Inject
    InstanceFetcher fetcher;

    @Inject
    FetchLimits limits;

    @Inject
    ConfigServiceClient configService;

    @BeforeAll
    static void startSandbox() {
        sandbox = FhirSandbox.start(0);
    }

    @AfterEach
    void resetFaults() {
        sandbox.faults().reset();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void fetchesUnderTheSystemsSharedRateMeetNo429WhereTheSameFetchesWithoutItAreThrottled() {
        // The EHR's own limit exactly: config-service's small burst leaves the EHR slack for late arrivals.
        long systemId = registerSandbox(RATE);
        FhirSystemSettings limited = configService.fhirSystem(systemId).await().atMost(Duration.ofSeconds(10));
        assertThat(limited.limits().requestsPerSecond()).isEqualTo(RATE);
        FhirSystemSettings unlimited = new FhirSystemSettings(IDS.incrementAndGet(), limited.name(),
                // maxConcurrency 0: this system id is not config-service's, so it can have no shared request slots;
                // the worker's concurrency (8) is the limit, as the registered system's maxConcurrency 8 is.
                limited.baseUrl(), limited.patientIdentifierSystem(), limited.auth(), new Limits(0, 0, 100));

        Run withoutLimit = run(unlimited);
        Run withLimit = run(limited);

        assertThat(withLimit.results()).allSatisfy(result -> assertThat(result.outcome())
                .as("%s %s", result.errorClass(), result.errorMessage()).isEqualTo(FetchOutcome.completed));
        assertThat(withLimit.throttled()).as("requests the sandbox answered 429 under the shared limit (of %d)",
                withLimit.requests()).isZero();
        // 25 pages of the heavy patient's labs, and 15 patients each found by MRN then searched.
        assertThat(withLimit.requests()).isEqualTo(25 + 15 * 2);
        assertThat(withoutLimit.throttled()).as("requests the sandbox answered 429 without the limit").isPositive();
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher permits = Pattern.compile("fhir_snapshot_fetch_request_permits_total\\{fhir_system_id=\"" + systemId
                + "\"} ([0-9.]+)").matcher(metrics);
        assertThat(permits.find()).as("the permit counter of the limited system").isTrue();
        assertThat(Double.parseDouble(permits.group(1))).as("a permit for each request")
                .isGreaterThanOrEqualTo(withLimit.requests());
        assertThat(metrics)
                .contains("fhir_snapshot_fetch_request_permit_wait_seconds_count{fhir_system_id=\"" + systemId + "\"}")
                .doesNotContain("fhir_snapshot_fetch_request_permits_total{fhir_system_id=\"" + unlimited.id() + "\"}");
        // The EHR's 429s and the retries they caused, counted per FHIR system (the system's id, never its URL).
        assertThat(counter(metrics, "fhir_snapshot_ehr_responses_total{fhir_system_id=\"" + unlimited.id()
                + "\",status=\"429\"}")).as("429s counted for the unlimited system").isPositive();
        assertThat(counter(metrics, "fhir_snapshot_ehr_retries_total{fhir_system_id=\"" + unlimited.id()
                + "\",reason=\"rate_limited\"}")).as("retries after a 429").isPositive();
        assertThat(counter(metrics, "fhir_snapshot_ehr_responses_total{fhir_system_id=\"" + systemId
                + "\",status=\"2xx\"}")).as("answers of the limited system").isPositive();
        assertThat(metrics).doesNotContain(sandbox.baseUrl());
    }

    /** The value of one series of a Prometheus text scrape (0 when absent). */
    private static double counter(String metrics, String series) {
        return metrics.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim())).sum();
    }

    @Test
    void a429PausesThePermitsOfEveryReplicaNotOnlyThisWorkersRequests() {
        long systemId = registerSandbox(RATE);
        FhirSystemSettings system = configService.fhirSystem(systemId).await().atMost(Duration.ofSeconds(10));
        PatientTruth patient = sandbox.cohort().groundTruth().patients().stream()
                .filter(truth -> truth.exists() && !truth.restricted()).findFirst().orElseThrow();
        // The first request meets 429 with Retry-After: 3 (a window of 200 ms); the retry after the pause passes.
        sandbox.faults().set(SandboxFaults.none().withThrottleWindow(3, 200));

        Uni<FetchResult> fetch = fetcher.fetch(claim(patient.mrn(), null, "Patient"), system).memoize()
                .indefinitely();
        fetch.subscribe().with(ignored -> {
        }, ignored -> {
        });
        // Another replica asking for a permit now is told to wait for the pause.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            PermitGrant grant = configService.requestPermits(systemId, new RequestPermits(1, RATE)).await()
                    .atMost(Duration.ofSeconds(5));
            assertThat(grant.granted()).as("permits while the EHR's pause lasts").isZero();
            assertThat(grant.retryAfterMillis()).isGreaterThan(1_000);
        });

        FetchResult result = fetch.await().atMost(Duration.ofSeconds(30));
        assertThat(result.outcome()).as("%s %s", result.errorClass(), result.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        assertThat(sandbox.stats().throttled()).as("only the first request met the window").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aSystemConfigServiceDoesNotKnowFailsItsFetchesAsConfiguration() {
        FhirSystemSettings unknown = new FhirSystemSettings(IDS.incrementAndGet(), "gone", sandbox.baseUrl(),
                SandboxCohort.MRN_SYSTEM, new FhirSystemSettings.AuthSettings("none", null, null, null, null, null),
                new Limits(4, RATE, 100));
        SandboxStats before = sandbox.stats();

        FetchResult result = fetcher.fetch(claim("p1", "p1", "Patient"), unknown).await()
                .atMost(Duration.ofSeconds(30));

        assertThat(result.errorClass()).isEqualTo("configuration");
        assertThat(result.errorMessage()).isEqualTo("the project's FHIR system is not configured in config-service");
        assertThat(sandbox.stats().requests()).isEqualTo(before.requests());
    }

    /** The work, all at once within the worker's FetchLimits, against a sandbox that allows {@link #RATE}/s. */
    private Run run(FhirSystemSettings system) {
        List<PatientTruth> open = sandbox.cohort().groundTruth().patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).toList();
        PatientTruth heavy = open.stream()
                .filter(patient -> patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size() == 2_500)
                .findFirst().orElseThrow();
        List<ClaimedInstance> claims = new ArrayList<>();
        claims.add(claim(heavy.mrn(), heavy.patientId(), LABORATORY));
        open.stream().filter(patient -> patient != heavy).limit(15)
                .forEach(patient -> claims.add(claim(patient.mrn(), null, "Patient")));
        sandbox.faults().set(SandboxFaults.none().withRateLimitPerSecond(RATE));
        SandboxStats before = sandbox.stats();
        List<Uni<FetchResult>> fetches = claims.stream()
                .map(claim -> limits.run(system, () -> fetcher.fetch(claim, system))).toList();
        List<FetchResult> results = Uni.join().all(fetches).andFailFast().await().atMost(Duration.ofSeconds(60));
        SandboxStats after = sandbox.stats();
        return new Run(results, after.requests() - before.requests(), after.throttled() - before.throttled());
    }

    private record Run(List<FetchResult> results, long requests, long throttled) {
    }

    private static ClaimedInstance claim(String mrn, String patientId, String query) {
        long id = IDS.incrementAndGet();
        String type = query.contains("?") ? query.substring(0, query.indexOf('?')) : query;
        return new ClaimedInstance(id, "token-" + id, "rate-limit-test", 1, id, mrn, patientId, type, query, 1);
    }

    private static long registerSandbox(int requestsPerSecond) {
        Map<String, Object> body = Map.of("name", "rate-limited sandbox " + UUID.randomUUID(), "baseUrl",
                sandbox.baseUrl(), "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM, "auth", Map.of("type", "none"),
                "limits", Map.of("maxConcurrency", 8, "requestsPerSecond", requestsPerSecond, "pageSize", 100));
        return given().baseUri(configServiceUrl()).contentType(ContentType.JSON).body(body)
                .post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static String configServiceUrl() {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client.config-service.url", String.class);
    }
}
