package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MrnChanged;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class MrnRemovalTest {

    @Test
    void removingAnMrnDeletesItsActiveInstancesAndEmitsMrnChangedWithItsIdOnly() {
        String project = Fixtures.newProjectKey();
        List<Long> mrnIds = TestDatabase.seedMrns(project, 2);
        reconcile(project, List.of(vitalSigns(701, 1), vitalSigns(702, 1)));

        try (TestKafka.Reader reader = TestKafka.read(Topics.MRN_CHANGED)) {
            given().delete("/api/projects/{key}/mrns/{mrn}", project, "MRN-000001").then().statusCode(204);

            assertThat(TestDatabase.query("select active, removed_at is not null as removed from mrn where id = ?",
                    mrnIds.get(0)).get(0)).containsEntry("active", false).containsEntry("removed", true);
            assertThat(TestDatabase.queryLongs("select count(*) from instance where mrn_id = ? and status = "
                    + "'deleted'", mrnIds.get(0))).containsExactly(2L);
            assertThat(TestDatabase.queryLongs("select count(*) from instance where mrn_id = ? and status = "
                    + "'pending'", mrnIds.get(1))).containsExactly(2L);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(reader.poll())
                    .filteredOn(record -> project.equals(record.key())).singleElement().satisfies(record -> {
                        assertThat(record.value()).doesNotContain("MRN-");
                        MrnChanged event = TestKafka.JSON.readValue(record.value(), MrnChanged.class);
                        assertThat(event.removed()).containsExactly(mrnIds.get(0));
                        assertThat(event.added()).isEmpty();
                        assertThat(event.schemaVersion()).isEqualTo(MrnChanged.SCHEMA_VERSION);
                    }));
        }
        assertThat(TestDatabase.count("select count(*) from outbox where message_key = ?", project)).isZero();
        // A later reconcile does not bring them back.
        assertThat(reconcile(project, List.of(vitalSigns(701, 1), vitalSigns(702, 1))).created()).isZero();
    }

    @Test
    void removingAnMrnTheProjectDoesNotHaveIsA404ProblemThatDoesNotRepeatTheMrn() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        given().delete("/api/projects/{key}/mrns/{mrn}", project, "MRN-999999").then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("detail", not(containsString("MRN-")));

        given().delete("/api/projects/{key}/mrns/{mrn}", project, "MRN-000001").then().statusCode(204);
        given().delete("/api/projects/{key}/mrns/{mrn}", project, "MRN-000001").then().statusCode(404);
    }
}
