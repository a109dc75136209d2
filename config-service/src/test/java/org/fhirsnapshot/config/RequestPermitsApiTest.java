package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class RequestPermitsApiTest {

    @Test
    void aFullBucketGrantsAFifthOfASecondOfRequests() {
        long system = ApiFixtures.createSystem();

        permits(system, 1000, 50)
                .then().statusCode(200)
                .body("granted", equalTo(10))
                .body("retryAfterMillis", equalTo(0));
    }

    @Test
    void anEmptyBucketSaysWhenToAskAgain() {
        long system = ApiFixtures.createSystem();
        permits(system, 1, 1).then().statusCode(200).body("granted", equalTo(1));

        // One permit per second: the next one comes at most 1000 ms after the first was taken.
        permits(system, 1, 1)
                .then().statusCode(200)
                .body("granted", equalTo(0))
                .body("retryAfterMillis", greaterThan(0))
                .body("retryAfterMillis", lessThanOrEqualTo(1000));
    }

    @Test
    void concurrentCallersNeverGetMoreThanTheBucketAllows() throws Exception {
        long system = ApiFixtures.createSystem();
        int rate = 20;
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            long start = System.nanoTime();
            long stopAt = start + 3_000_000_000L;
            Callable<long[]> hammer = () -> {
                long granted = 0;
                long calls = 0;
                while (System.nanoTime() < stopAt) {
                    int wanted = ThreadLocalRandom.current().nextInt(1, 6);
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                            "http://localhost:" + RestAssured.port + "/internal/fhir-systems/" + system
                                    + "/request-permits"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + TestTokens.service())
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"wanted\":" + wanted + ",\"requestsPerSecond\":" + rate + "}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(200);
                    JsonPath grant = JsonPath.from(response.body());
                    assertThat(grant.getInt("granted")).isBetween(0, wanted);
                    if (grant.getInt("granted") == 0) {
                        assertThat(grant.getLong("retryAfterMillis")).isBetween(1L, 1000L / rate);
                    }
                    granted += grant.getInt("granted");
                    calls++;
                }
                return new long[]{granted, calls};
            };
            List<Future<long[]>> results = new ArrayList<>();
            results.add(callers.submit(hammer));
            results.add(callers.submit(hammer));
            long granted = 0;
            long calls = 0;
            for (Future<long[]> result : results) {
                granted += result.get()[0];
                calls += result.get()[1];
            }
            double elapsedSeconds = (System.nanoTime() - start) / 1e9;

            // A full bucket (a fifth of a second of permits) plus the refill over the whole run: never more.
            assertThat(granted).isLessThanOrEqualTo((long) Math.floor(rate / 5 + rate * elapsedSeconds));
            assertThat(granted).isPositive();
            // The callers asked far more often than permits came: the limit really held them back.
            assertThat(calls).isGreaterThan(granted / 5);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aHigherRateTakesEffect() {
        long system = ApiFixtures.createSystem();
        permits(system, 1000, 1).then().statusCode(200).body("granted", equalTo(1));

        // Under the old configuration no call could ever get more than one permit (capacity 1).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> permits(system, 1000, 500).then().statusCode(200).extract().jsonPath().getInt("granted") > 1);
    }

    @Test
    void aLowerRateTakesEffect() {
        long system = ApiFixtures.createSystem();
        permits(system, 1000, 1000).then().statusCode(200).body("granted", equalTo(200));

        long start = System.nanoTime();
        long granted = 0;
        for (int i = 0; i < 20; i++) {
            int got = permits(system, 1000, 1).then().statusCode(200).extract().jsonPath().getInt("granted");
            assertThat(got).isLessThanOrEqualTo(1);
            granted += got;
        }
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;
        // Capacity 1 and one permit a second from the change on (the old bucket refilled 1000 a second).
        assertThat(granted).isLessThanOrEqualTo((long) Math.floor(1 + elapsedSeconds));
    }

    @Test
    void invalidRequestsAreProblemsNamingTheField() {
        long system = ApiFixtures.createSystem();

        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("wanted", 0, "requestsPerSecond", 5),
                Map.of("wanted", 1001, "requestsPerSecond", 5))) {
            given().contentType(ContentType.JSON).body(body)
                    .when().post("/internal/fhir-systems/{id}/request-permits", system)
                    .then().statusCode(400)
                    .contentType(Problem.MEDIA_TYPE)
                    .body("errors.field", hasItem("wanted"));
        }
        given().contentType(ContentType.JSON).body(Map.of("wanted", 0, "requestsPerSecond", 0))
                .when().post("/internal/fhir-systems/{id}/request-permits", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItems("wanted", "requestsPerSecond"));
        given().contentType(ContentType.JSON).body("{\"wanted\":")
                .when().post("/internal/fhir-systems/{id}/request-permits", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE);
        given().contentType(ContentType.JSON)
                .when().post("/internal/fhir-systems/{id}/request-permits", system)
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void unknownOrDeletedSystemIsANotFoundProblem() {
        permits(987654321L, 1, 5)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);

        long system = ApiFixtures.createSystem();
        permits(system, 1, 5).then().statusCode(200).body("granted", equalTo(1));
        given().when().delete("/api/fhir-systems/{id}", system).then().statusCode(204);
        permits(system, 1, 5)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void aPauseTheEhrAskedForHoldsEveryPermitBackUntilItEnds() {
        long system = ApiFixtures.createSystem();
        slowDown(system, 3_000).then().statusCode(204);
        // A shorter pause reported later does not shorten it.
        slowDown(system, 10).then().statusCode(204);

        permits(system, 5, 100).then().statusCode(200)
                .body("granted", equalTo(0))
                .body("retryAfterMillis", greaterThan(1_000))
                .body("retryAfterMillis", lessThanOrEqualTo(3_000));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> permits(system, 5, 100).then().statusCode(200).extract().jsonPath().getInt("granted") > 0);
    }

    @Test
    void aPauseNeedsSaneMillisAndAKnownSystem() {
        long system = ApiFixtures.createSystem();
        for (long millis : new long[]{0, -5, 3_600_001}) {
            slowDown(system, millis).then().statusCode(400)
                    .contentType(Problem.MEDIA_TYPE)
                    .body("errors.field", hasItem("millis"));
        }
        slowDown(987654321L, 1_000).then().statusCode(404).contentType(Problem.MEDIA_TYPE);
    }

    private static io.restassured.response.Response slowDown(long system, long millis) {
        return given().contentType(ContentType.JSON).body(Map.of("millis", millis))
                .when().post("/internal/fhir-systems/{id}/slow-down", system);
    }

    private static io.restassured.response.Response permits(long system, int wanted, int requestsPerSecond) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("wanted", wanted, "requestsPerSecond", requestsPerSecond))
                .when().post("/internal/fhir-systems/{id}/request-permits", system);
    }
}
