package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.PendingResource;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.ReleaseRequest;
import org.fhirsnapshot.contracts.internal.ReleaseRequest.ReleasedClaim;
import org.fhirsnapshot.contracts.internal.ReleaseResult;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** A stopping worker gives back its claims (issue 8): {@code POST /internal/instances/release}. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class ReleaseTest {

    private static ReleaseResult release(List<ReleasedClaim> claims) {
        return given().contentType(ContentType.JSON).body(new ReleaseRequest("test-worker", claims))
                .post("/internal/instances/release").then().statusCode(200).extract().as(ReleaseResult.class);
    }

    private static List<PendingResource> messagesOf(TestKafka.Reader reader, long instanceId) {
        return reader.poll().stream().map(record -> {
            try {
                return TestKafka.JSON.readValue(record.value(), PendingResource.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }).filter(message -> message.instanceId() == instanceId).toList();
    }

    @Test
    void aReleasedClaimIsPendingAgainWithItsAttemptGivenBackAndIsPublishedAgainAtOnce() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        try (TestKafka.Reader reader = TestKafka.read(Topics.PENDING_RESOURCE)) {
            reconcile(project, List.of(vitalSigns(701, 1)));
            long id = Fixtures.instanceIds(project).get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> messagesOf(reader, id).size() == 1);
            ClaimedInstance claimed = claim(List.of(id), 300).get(0);
            assertThat(claimed.attempt()).isEqualTo(1);

            ReleaseResult result = release(List.of(new ReleasedClaim(id, claimed.claimToken())));

            assertThat(result.released()).isEqualTo(1);
            Map<String, Object> row = TestDatabase.query("""
                    select status, claim_token, claimed_by, lease_until, attempt from instance where id = ?
                    """, id).get(0);
            assertThat(row.get("status")).isEqualTo("pending");
            assertThat(row.get("claim_token")).isNull();
            assertThat(row.get("claimed_by")).isNull();
            assertThat(row.get("lease_until")).isNull();
            assertThat(row.get("attempt")).as("the release gives back the attempt its claim counted").isEqualTo(0);
            // Published again by the publisher's next run, not after republish-after (60 s) nor the 300 s lease.
            await().atMost(Duration.ofSeconds(10)).until(() -> messagesOf(reader, id).size() == 2);
            ClaimedInstance again = claim(List.of(id), 300).get(0);
            assertThat(again.attempt()).isEqualTo(1);
            assertThat(again.claimToken()).isNotEqualTo(claimed.claimToken());
        }
    }

    @Test
    void aReleaseWithAStaleOrWrongTokenChangesNothing() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcile(project, List.of(vitalSigns(711, 1)));
        List<Long> ids = Fixtures.instanceIds(project);
        List<ClaimedInstance> first = claim(ids, 300);
        assertThat(first).hasSize(2);
        // The first instance's claim is released, then claimed again by another worker: the old token is stale.
        assertThat(release(List.of(new ReleasedClaim(ids.get(0), first.get(0).claimToken()))).released())
                .isEqualTo(1);
        ClaimedInstance reclaimed = claim(List.of(ids.get(0)), 300).get(0);

        ReleaseResult result = release(List.of(new ReleasedClaim(ids.get(0), first.get(0).claimToken()),
                new ReleasedClaim(ids.get(1), first.get(0).claimToken()),
                new ReleasedClaim(ids.get(1), "00000000-0000-0000-0000-000000000000")));

        assertThat(result.released()).isZero();
        Map<Long, String> statuses = TestDatabase.statuses(ids);
        assertThat(statuses).containsEntry(ids.get(0), "fetching").containsEntry(ids.get(1), "fetching");
        assertThat(TestDatabase.query("select claim_token from instance where id = ?", ids.get(0)).get(0)
                .get("claim_token")).isEqualTo(reclaimed.claimToken());
        assertThat(TestDatabase.query("select claim_token, attempt from instance where id = ?", ids.get(1)).get(0))
                .containsEntry("claim_token", first.get(1).claimToken()).containsEntry("attempt", 1);
    }

    @Test
    void aReleaseAfterTheResultWasAppliedChangesNothing() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        reconcile(project, List.of(vitalSigns(721, 1)));
        long id = Fixtures.instanceIds(project).get(0);
        ClaimedInstance claimed = claim(List.of(id), 300).get(0);
        Fixtures.applyResult(FetchResult.completed(id, claimed.claimToken(),
                "sha256:" + id, null, List.of(), null));

        assertThat(release(List.of(new ReleasedClaim(id, claimed.claimToken()))).released()).isZero();
        assertThat(TestDatabase.statuses(List.of(id))).containsEntry(id, "completed");
    }

    @Test
    void aReleaseWithoutTokensOrWorkerIsAProblem() {
        given().contentType(ContentType.JSON).body("{\"workerId\":\"w\",\"claims\":[{\"instanceId\":1}]}")
                .post("/internal/instances/release").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"claims\":[]}")
                .post("/internal/instances/release").then().statusCode(400)
                .body("detail", equalTo("workerId is required (at most 200 characters, no control characters)."));
        given().contentType(ContentType.JSON).body("{\"workerId\":\"w\"}")
                .post("/internal/instances/release").then().statusCode(400)
                .contentType("application/problem+json");
    }
}
