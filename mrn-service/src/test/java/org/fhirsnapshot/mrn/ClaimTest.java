package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.contracts.internal.ClaimRequest;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class ClaimTest {

    @Test
    void claimMovesOnlyPendingInstancesToFetchingWithTokenLeaseAndAttempt() {
        String project = Fixtures.newProjectKey();
        List<Long> mrnIds = TestDatabase.seedMrns(project, 3);
        TestDatabase.update("update mrn set fhir_patient_id = 'pat-1' where id = ?", mrnIds.get(0));
        reconcile(project, List.of(vitalSigns(101, 1)));
        List<Long> ids = Fixtures.instanceIds(project);
        TestDatabase.update("update instance set status = 'completed' where id = ?", ids.get(2));

        List<Long> asked = new ArrayList<>(ids);
        asked.add(Long.MAX_VALUE);
        List<ClaimedInstance> claimed = claim(asked, 120);

        assertThat(claimed).extracting(ClaimedInstance::instanceId).containsExactly(ids.get(0), ids.get(1));
        ClaimedInstance first = claimed.get(0);
        assertThat(UUID.fromString(first.claimToken())).isNotNull();
        assertThat(first.projectKey()).isEqualTo(project);
        assertThat(first.fhirSystemId()).isEqualTo(Fixtures.FHIR_SYSTEM_ID);
        assertThat(first.mrnId()).isEqualTo(mrnIds.get(0));
        assertThat(first.mrn()).isEqualTo("MRN-000001");
        assertThat(first.fhirPatientId()).isEqualTo("pat-1");
        assertThat(first.resourceType()).isEqualTo("Observation");
        assertThat(first.query()).isEqualTo("Observation?category=vital-signs");
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(claimed.get(1).claimToken()).isNotEqualTo(first.claimToken());

        Map<String, Object> row = TestDatabase.query("""
                select status, claim_token, claimed_by, lease_until > now() + interval '60 seconds' as leased
                from instance where id = ?
                """, ids.get(0)).get(0);
        assertThat(row.get("status")).isEqualTo("fetching");
        assertThat(row.get("claim_token")).isEqualTo(first.claimToken());
        assertThat(row.get("claimed_by")).isEqualTo("test-worker");
        assertThat(row.get("leased")).isEqualTo(true);
        assertThat(TestDatabase.statuses(ids).get(ids.get(2))).isEqualTo("completed");
    }

    @Test
    void aSecondClaimOfTheSameInstancesGetsNothing() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcile(project, List.of(vitalSigns(111, 1)));
        List<Long> ids = Fixtures.instanceIds(project);

        assertThat(claim(ids, 60)).hasSize(2);
        assertThat(claim(ids, 60)).isEmpty();
        assertThat(TestDatabase.count("select max(attempt) from instance where project_key = ?", project))
                .isEqualTo(1);
    }

    @Test
    void anExpiredClaimReturnsTheInstanceToPendingAndItCanBeClaimedAgain() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        reconcile(project, List.of(vitalSigns(121, 1)));
        List<Long> ids = Fixtures.instanceIds(project);
        String firstToken = claim(ids, 1).get(0).claimToken();

        // The sweep (sync-service calls it every ~30 s) returns expired leases to pending.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Fixtures.sweep();
            assertThat(TestDatabase.statuses(ids).get(ids.get(0))).isEqualTo("pending");
        });
        assertThat(TestDatabase.query("select claim_token, lease_until from instance where id = ?", ids.get(0))
                .get(0)).containsEntry("claim_token", null).containsEntry("lease_until", null);

        // The publisher may publish it again first; a claim takes it either way.
        List<ClaimedInstance> again = claim(ids, 60);
        assertThat(again).singleElement().satisfies(c -> {
            assertThat(c.attempt()).isEqualTo(2);
            assertThat(c.claimToken()).isNotEqualTo(firstToken);
        });
    }

    @Test
    void aClaimWithoutWorkerIdIsRefusedWithAProblem() {
        given().contentType(ContentType.JSON).body(new ClaimRequest(List.of(1L), " ", 60))
                .post("/internal/instances/claim").then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("workerId"));
    }
}
