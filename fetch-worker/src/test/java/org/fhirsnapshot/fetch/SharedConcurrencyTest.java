package org.fhirsnapshot.fetch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.contracts.internal.SlotRequest;
import org.fhirsnapshot.fetch.client.ConfigServiceClient;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The maximum of concurrent requests shared through config-service (a real process, its leases in the real
 * PostgreSQL): two {@link SharedConcurrency} instances with different holder ids act as two worker replicas and send
 * requests to the in-JVM sandbox, which answers each after a delay; the test counts the requests in flight of both.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service"))
class SharedConcurrencyTest {

    private static final int MAX = 3;
    /** 144 requests of 250 ms at 3 at a time: 12 s of work for the first replica. */
    private static final int FIRST_REQUESTS = 144;
    private static FhirSandbox sandbox;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    ConfigServiceClient configService;

    @Inject
    Vertx vertx;

    @BeforeAll
    static void startSandbox() {
        sandbox = FhirSandbox.start(0);
        sandbox.faults().set(SandboxFaults.none().withLatencyMillis(250));
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void twoReplicasTogetherNeverExceedTheSystemsMaximumAndTheSecondGetsItsShareWhileTheFirstIsBusy() {
        long systemId = registerSandbox(MAX);
        SharedConcurrency first = replica("replica-a");
        SharedConcurrency second = replica("replica-b");
        InFlight inFlight = new InFlight();
        AtomicInteger firstLeft = new AtomicInteger(FIRST_REQUESTS);
        AtomicInteger firstLeftWhenSecondStarted = new AtomicInteger(-1);

        // The first replica is busy for longer than a newcomer may wait for its share (a renewal period, a third of
        // config-service's 15 s lease, plus its own 1 s retry: about 6 s)...
        List<Uni<Integer>> firstWork = new ArrayList<>();
        for (int i = 0; i < FIRST_REQUESTS; i++) {
            firstWork.add(first.run(systemId, MAX, () -> inFlight.request().invoke(firstLeft::decrementAndGet)));
        }
        Uni<List<Integer>> firstDone = Uni.join().all(firstWork).andFailFast().memoize().indefinitely();
        firstDone.subscribe().with(done -> {
        }, failure -> {
        });
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> inFlight.now.get() == MAX);

        // ...when the second one starts asking.
        List<Uni<Integer>> secondWork = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            secondWork.add(second.run(systemId, MAX, () -> {
                firstLeftWhenSecondStarted.compareAndSet(-1, firstLeft.get());
                return inFlight.request();
            }));
        }
        List<Integer> secondStatuses = Uni.join().all(secondWork).andFailFast().await().atMost(Duration.ofSeconds(60));
        List<Integer> firstStatuses = firstDone.await().atMost(Duration.ofSeconds(60));

        assertThat(firstStatuses).hasSize(FIRST_REQUESTS).containsOnly(200);
        assertThat(secondStatuses).hasSize(10).containsOnly(200);
        assertThat(inFlight.peak.get()).as("requests in flight at once, both replicas together")
                .isLessThanOrEqualTo(MAX);
        // Fair sharing, not first come first served: the second replica ran while the first still had work.
        assertThat(firstLeftWhenSecondStarted.get()).as("requests the first replica had left when the second "
                + "started its first").isPositive();

        // Idle replicas release their slots (after about 2 s) rather than keep them to the end of the lease (15 s):
        // a third holder soon gets them all.
        String probe = "probe-" + UUID.randomUUID();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> configService.requestSlots(systemId, new SlotRequest(probe, MAX, 0, MAX))
                        .await().atMost(Duration.ofSeconds(10)).slots() == MAX);
    }

    @Test
    void aSystemConfigServiceDoesNotKnowFailsItsWaitingFetchesAsConfiguration() {
        SharedConcurrency replica = replica("replica-c");

        Throwable failure = catchThrowable(() -> replica.run(987_654_321L, MAX, () -> Uni.createFrom().item(1))
                .await().atMost(Duration.ofSeconds(20)));

        assertThat(failure).isInstanceOf(FetchFailure.class);
        assertThat(((FetchFailure) failure).errorClass()).isEqualTo(ErrorClass.CONFIGURATION);
    }

    private SharedConcurrency replica(String name) {
        return new SharedConcurrency(configService::requestSlots, name + "-" + UUID.randomUUID(), vertx,
                new SimpleMeterRegistry());
    }

    /** Requests to the sandbox, counted while in flight. */
    private static final class InFlight {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();

        Uni<Integer> request() {
            return Uni.createFrom().deferred(() -> {
                peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                return Uni.createFrom().completionStage(HTTP.sendAsync(HttpRequest.newBuilder(
                        URI.create(sandbox.baseUrl() + "/Patient?_count=1")).header("Accept", "application/fhir+json")
                        .build(), HttpResponse.BodyHandlers.discarding()))
                        .map(HttpResponse::statusCode)
                        .onTermination().invoke(now::decrementAndGet);
            });
        }
    }

    private static long registerSandbox(int maxConcurrency) {
        Map<String, Object> body = Map.of("name", "concurrency-limited sandbox " + UUID.randomUUID(), "baseUrl",
                sandbox.baseUrl(), "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM, "auth", Map.of("type", "none"),
                "limits", Map.of("maxConcurrency", maxConcurrency, "requestsPerSecond", 100, "pageSize", 100));
        return given().baseUri(ConfigProvider.getConfig().getValue("quarkus.rest-client.config-service.url",
                String.class)).contentType(ContentType.JSON).body(body)
                .post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
    }
}
