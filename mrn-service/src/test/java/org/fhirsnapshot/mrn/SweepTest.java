package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** The test configuration sets a window of 5; republish-after is 60 s. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class SweepTest {

    private static SweepReport.ProjectSweep of(SweepReport report, String project) {
        return report.projects().stream().filter(p -> p.projectKey().equals(project)).findFirst().orElse(null);
    }

    @Test
    void theSweepReturnsExpiredLeasesToPendingAndMakesLongUnclaimedPublicationsPublishableAgain() {
        String project = Fixtures.newProjectKey();
        String quiet = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 6);
        TestDatabase.seedMrns(quiet, 1);
        reconcile(project, List.of(vitalSigns(951, 1)));
        reconcile(quiet, List.of(vitalSigns(952, 1)));
        List<Long> ids = Fixtures.instanceIds(project);
        // Five fetching fill the window, so the publisher leaves the sixth alone.
        assertThat(claim(ids.subList(0, 5), 300)).hasSize(5);
        long expired = ids.get(0);
        long stale = ids.get(5);
        TestDatabase.update("update instance set lease_until = now() - interval '1 minute' where id = ?", expired);
        TestDatabase.update("update instance set published_at = now() - interval '61 seconds' where id = ?", stale);

        // The publisher no longer expires leases: the sweep owns that.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> "fetching".equals(TestDatabase.statuses(List.of(expired)).get(expired)));

        SweepReport report = Fixtures.sweep();

        assertThat(of(report, project)).isEqualTo(new SweepReport.ProjectSweep(project, 1, 1));
        assertThat(of(report, quiet)).as("only projects where something happened").isNull();
        Map<String, Object> requeued = TestDatabase
                .query("select status, claim_token, lease_until from instance where id = ?", expired).get(0);
        assertThat(requeued).containsEntry("status", "pending").containsEntry("claim_token", null)
                .containsEntry("lease_until", null);
        assertThat(TestDatabase.count(
                """
                        select count(*) from instance
                        where id = ? and status = 'pending' and (published_at is null or published_at > now() - interval '30 seconds')
                        """,
                stale)).isEqualTo(1);
        assertThat(of(Fixtures.sweep(), project)).as("a second sweep finds nothing more").isNull();
    }

    @Test
    void theSweepTakesAnEmptyJsonPostAsSyncServiceSendsIt() {
        given().contentType(ContentType.JSON).post("/internal/sweep").then().statusCode(200)
                .contentType(startsWith("application/json"))
                .body("projects", org.hamcrest.Matchers.notNullValue());
    }
}
