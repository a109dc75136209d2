package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class RequestSlotsApiTest {

    @Test
    void aHolderAloneGetsWhatItWantsUpToTheLimit() {
        long system = ApiFixtures.createSystem();

        slots(system, "worker-a", 3, 0, 4).then().statusCode(200)
                .body("slots", equalTo(3))
                // The test profile's lease (src/test/resources/application.properties).
                .body("leaseMillis", equalTo(5000));
        assertThat(granted(system, "worker-a", 9, 3, 4)).isEqualTo(4);
    }

    @Test
    void twoHoldersNeverHaveMoreRequestsInFlightTogetherThanTheLimit() throws Exception {
        long system = ApiFixtures.createSystem();
        int max = 4;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService holders = Executors.newFixedThreadPool(2);
        try {
            long stopAt = System.nanoTime() + 3_000_000_000L;
            List<Future<int[]>> results = new ArrayList<>();
            for (String holder : List.of("replica-1", "replica-2")) {
                // A worker replica in miniature: starts requests only within its grant, ends some at random, and
                // reports what it has in flight with every call.
                Callable<int[]> replica = () -> {
                    int mine = 0;
                    int started = 0;
                    int calls = 0;
                    while (System.nanoTime() < stopAt) {
                        int wanted = mine + ThreadLocalRandom.current().nextInt(0, 4);
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + RestAssured.port + "/internal/fhir-systems/" + system
                                        + "/request-slots"))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + TestTokens.service())
                                .POST(HttpRequest.BodyPublishers.ofString("{\"holder\":\"" + holder
                                        + "\",\"wanted\":" + wanted + ",\"inUse\":" + mine
                                        + ",\"maxConcurrency\":" + max + "}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(response.statusCode()).isEqualTo(200);
                        int grant = JsonPath.from(response.body()).getInt("slots");
                        assertThat(grant).isBetween(0, wanted);
                        calls++;
                        while (mine < grant) {
                            mine++;
                            started++;
                            int now = inFlight.incrementAndGet();
                            peak.accumulateAndGet(now, Math::max);
                        }
                        int ending = ThreadLocalRandom.current().nextInt(0, mine + 1);
                        mine -= ending;
                        inFlight.addAndGet(-ending);
                    }
                    return new int[]{started, calls};
                };
                results.add(holders.submit(replica));
            }
            int[] first = results.get(0).get();
            int[] second = results.get(1).get();

            assertThat(peak.get()).isLessThanOrEqualTo(max);
            // Both made progress: neither was starved by the other.
            assertThat(first[0]).isPositive();
            assertThat(second[0]).isPositive();
        } finally {
            holders.shutdownNow();
        }
    }

    @Test
    void aSecondHolderGetsItsFairShareOnceTheFirstRenews() {
        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(4);

        // All four are held: B waits.
        assertThat(granted(system, "worker-b", 4, 0, 4)).isZero();
        // A's next renewal gives back down to its fair share...
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(2);
        // ...which B then gets.
        assertThat(granted(system, "worker-b", 4, 0, 4)).isEqualTo(2);
        assertThat(granted(system, "worker-a", 4, 2, 4)).isEqualTo(2);
    }

    @Test
    void requestsStillInFlightKeepTheirSlotsUntilTheHolderReportsThemEnded() {
        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(4);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isZero();
        // A's grant shrinks to 2, but its 4 requests are still running: nothing is free for B yet.
        assertThat(granted(system, "worker-a", 4, 4, 4)).isEqualTo(2);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isZero();

        // Two of A's requests ended; A says so.
        assertThat(granted(system, "worker-a", 4, 2, 4)).isEqualTo(2);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isEqualTo(2);
    }

    @Test
    void releasingFreesTheSlots() {
        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(4);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isZero();

        assertThat(granted(system, "worker-a", 0, 0, 4)).isZero();

        assertThat(granted(system, "worker-b", 4, 0, 4)).isEqualTo(4);
        assertThat(ConfigDatabase.slotLeaseHolders(system)).containsExactly("worker-b");
    }

    @Test
    void anExpiredLeaseFreesItsSlots() {
        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "crashed-worker", 4, 0, 4)).isEqualTo(4);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isZero();

        // The crashed worker never renews; within one lease (5 s in tests) its slots are B's.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> granted(system, "worker-b", 4, 0, 4) == 4);
        assertThat(ConfigDatabase.slotLeaseHolders(system)).containsExactly("worker-b");
    }

    @Test
    void aLoweredLimitTakesEffectOnRenewals() {
        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(4);
        assertThat(granted(system, "worker-a", 4, 4, 4)).isEqualTo(4);

        // The workers read the new limit (1) from the system's settings.
        assertThat(granted(system, "worker-a", 4, 4, 1)).isEqualTo(1);
        assertThat(granted(system, "worker-b", 4, 0, 1)).isZero();
        // One slot, two holders: A gives it to B, who has waited, and B gets it once A's request has ended.
        assertThat(granted(system, "worker-a", 4, 1, 1)).isZero();
        assertThat(granted(system, "worker-b", 4, 0, 1)).isZero();
        assertThat(granted(system, "worker-a", 4, 0, 1)).isZero();
        assertThat(granted(system, "worker-b", 4, 0, 1)).isEqualTo(1);
    }

    @Test
    void aLimitLoweredInTheSystemAppliesEvenToWorkersWithStaleSettings() {
        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(4);

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Sandbox", "baseUrl", "http://127.0.0.1:8090/fhir",
                        "limits", Map.of("maxConcurrency", 2)))
                .when().put("/api/fhir-systems/{id}", system)
                .then().statusCode(200);

        // The worker still passes 4, the system now says 2.
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(2);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isZero();
        assertThat(granted(system, "worker-a", 4, 0, 4)).isEqualTo(1);
        assertThat(granted(system, "worker-b", 4, 0, 4)).isEqualTo(1);
    }

    @Test
    void invalidRequestsAreProblemsNamingTheField() {
        long system = ApiFixtures.createSystem();

        given().contentType(ContentType.JSON)
                .body(Map.of("holder", " ", "wanted", -1, "inUse", 1001, "maxConcurrency", 0))
                .when().post("/internal/fhir-systems/{id}/request-slots", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("holder", "wanted", "inUse", "maxConcurrency"));
        given().contentType(ContentType.JSON)
                .body(Map.of("holder", "w".repeat(201), "wanted", 1001, "inUse", 0, "maxConcurrency", 4))
                .when().post("/internal/fhir-systems/{id}/request-slots", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("holder", "wanted"));
        given().contentType(ContentType.JSON).body(Map.of("wanted", 1, "inUse", 0, "maxConcurrency", 4))
                .when().post("/internal/fhir-systems/{id}/request-slots", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("holder"));
        given().contentType(ContentType.JSON).body("{\"holder\":")
                .when().post("/internal/fhir-systems/{id}/request-slots", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE);
        given().contentType(ContentType.JSON)
                .when().post("/internal/fhir-systems/{id}/request-slots", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void unknownOrDeletedSystemIsANotFoundProblem() {
        slots(987654321L, "worker-a", 1, 0, 4)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);

        long system = ApiFixtures.createSystem();
        assertThat(granted(system, "worker-a", 1, 0, 4)).isEqualTo(1);
        given().when().delete("/api/fhir-systems/{id}", system).then().statusCode(204);
        slots(system, "worker-a", 1, 1, 4)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
        assertThat(ConfigDatabase.slotLeaseHolders(system)).isEmpty();
    }

    @Test
    void callsAreCountedInTheMetrics() {
        long system = ApiFixtures.createSystem();
        granted(system, "worker-a", 2, 0, 1);

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fhir_snapshot_request_slot_calls_total",
                "fhir_snapshot_request_slot_short_grants_total", "fhir_snapshot_request_slot_leases_expired_total");
        assertThat(metrics).doesNotContain("worker-a");
    }

    private static int granted(long system, String holder, int wanted, int inUse, int maxConcurrency) {
        return slots(system, holder, wanted, inUse, maxConcurrency)
                .then().statusCode(200).extract().jsonPath().getInt("slots");
    }

    private static io.restassured.response.Response slots(long system, String holder, int wanted, int inUse,
            int maxConcurrency) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("holder", holder, "wanted", wanted, "inUse", inUse, "maxConcurrency", maxConcurrency))
                .when().post("/internal/fhir-systems/{id}/request-slots", system);
    }
}
