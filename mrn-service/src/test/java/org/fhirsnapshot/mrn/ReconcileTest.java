package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.socialHistory;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.internal.MappingDefinition;
import org.fhirsnapshot.contracts.internal.ReconcileReport;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class ReconcileTest {

    @Test
    void reconcileCreatesOnePendingInstancePerActiveMrnAndMapping() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 3);

        ReconcileReport report = reconcile(project, List.of(vitalSigns(11, 1), socialHistory(12, 1)));

        assertThat(report).isEqualTo(new ReconcileReport(6, 0, 0, 0));
        List<Map<String, Object>> rows = TestDatabase.query("""
                select status, mapping_id, mapping_revision, mapping_key, resource_name, resource_spec, resource_type,
                       fhir_resource_type, query, attempt
                from instance where project_key = ? and mapping_id = 12
                """, project);
        assertThat(rows).hasSize(3).allSatisfy(row -> {
            assertThat(row.get("status")).isEqualTo("pending");
            assertThat(row.get("mapping_revision")).isEqualTo(1);
            assertThat(row.get("mapping_key")).isEqualTo("social-history-12");
            assertThat(row.get("resource_name")).isEqualTo("Social History 12");
            assertThat(row.get("resource_spec")).isEqualTo("Observation?category=social-history");
            assertThat(row.get("resource_type")).isEqualTo("custom");
            assertThat(row.get("fhir_resource_type")).isEqualTo("Observation");
            assertThat(row.get("attempt")).isEqualTo(0);
        });
        assertThat(TestDatabase.count("select fhir_system_id from project where project_key = ?", project))
                .isEqualTo(Fixtures.FHIR_SYSTEM_ID);
    }

    @Test
    void reconcilingTwiceChangesNothingTheSecondTime() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 4);
        List<MappingDefinition> mappings = List.of(vitalSigns(21, 1), socialHistory(22, 3));
        reconcile(project, mappings);
        String before = TestDatabase.query("select string_agg(id || status || updated_at, ',' order by id) as s "
                + "from instance where project_key = ?", project).get(0).get("s").toString();

        ReconcileReport second = reconcile(project, mappings);

        assertThat(second).isEqualTo(new ReconcileReport(0, 0, 0, 0));
        String after = TestDatabase.query("select string_agg(id || status || updated_at, ',' order by id) as s "
                + "from instance where project_key = ?", project).get(0).get("s").toString();
        assertThat(after).isEqualTo(before);
    }

    @Test
    void updatedMappingOutdatesTheOlderRevisionAndCreatesNewInstances() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 3);
        reconcile(project, List.of(vitalSigns(31, 1), socialHistory(32, 1)));

        ReconcileReport report = reconcile(project, List.of(vitalSigns(31, 2), socialHistory(32, 1)));

        assertThat(report).isEqualTo(new ReconcileReport(3, 3, 0, 0));
        assertThat(TestDatabase.count("select count(*) from instance where project_key = ? and mapping_id = 31 "
                + "and mapping_revision = 1 and status = 'outdated'", project)).isEqualTo(3);
        assertThat(TestDatabase.count("select count(*) from instance where project_key = ? and mapping_id = 31 "
                + "and mapping_revision = 2 and status = 'pending'", project)).isEqualTo(3);
        assertThat(TestDatabase.count("select count(*) from instance where project_key = ? and mapping_id = 32 "
                + "and status = 'pending'", project)).isEqualTo(3);
    }

    @Test
    void aLateReconcileWithAnOlderRevisionNeverBringsItBack() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcile(project, List.of(vitalSigns(41, 1)));
        reconcile(project, List.of(vitalSigns(41, 2)));

        ReconcileReport stale = reconcile(project, List.of(vitalSigns(41, 1)));

        assertThat(stale).isEqualTo(new ReconcileReport(0, 0, 0, 0));
        assertThat(TestDatabase.count("select count(*) from instance where project_key = ? and status = 'pending' "
                + "and mapping_revision = 2", project)).isEqualTo(2);
    }

    @Test
    void instancesOfRemovedMappingsAndOfInactiveMrnsAreDeleted() {
        String project = Fixtures.newProjectKey();
        List<Long> mrnIds = TestDatabase.seedMrns(project, 3);
        reconcile(project, List.of(vitalSigns(51, 1), socialHistory(52, 1)));
        TestDatabase.update("update mrn set active = false where id = ?", mrnIds.get(0));

        ReconcileReport report = reconcile(project, List.of(vitalSigns(51, 1)));

        // MRN 1 loses both instances; MRNs 2 and 3 lose their mapping-52 instance.
        assertThat(report).isEqualTo(new ReconcileReport(0, 0, 4, 0));
        assertThat(TestDatabase.count("select count(*) from instance where project_key = ? and status = 'deleted'",
                project)).isEqualTo(4);
        assertThat(TestDatabase.count("select count(*) from instance where project_key = ? and status = 'pending' "
                + "and mapping_id = 51", project)).isEqualTo(2);
    }

    @Test
    void reconcileWithNoMappingsDeletesEveryActiveInstance() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcile(project, List.of(vitalSigns(61, 1)));

        assertThat(reconcile(project, List.of())).isEqualTo(new ReconcileReport(0, 0, 2, 0));
    }

    @Test
    void reconcileRequeuesInstancesWhoseClaimExpired() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        reconcile(project, List.of(vitalSigns(65, 1)));
        TestDatabase.update("update instance set status = 'fetching', claim_token = 'x', "
                + "lease_until = now() - interval '1 minute' where project_key = ?", project);

        ReconcileReport report = reconcile(project, List.of(vitalSigns(65, 1)));

        // A sweep (another test's) may get there first; either way it is pending again, once.
        assertThat(report.requeued()).isBetween(0, 1);
        assertThat(TestDatabase.query("select status, claim_token from instance where project_key = ?", project))
                .singleElement().satisfies(row -> {
                    assertThat(row.get("status")).isEqualTo("pending");
                    assertThat(row.get("claim_token")).isNull();
                });
    }

    @Test
    void aMappingOfUnknownTypeIsRefusedWithAProblem() {
        MappingDefinition wrong = new MappingDefinition(71, 1, "X", "x", "fancy", "x", Map.of(), "Observation",
                "Observation");
        given().contentType(ContentType.JSON).body(new ReconcileRequest(Fixtures.FHIR_SYSTEM_ID, List.of(wrong)))
                .post("/internal/projects/{key}/reconcile", Fixtures.newProjectKey()).then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors[0].field", equalTo("mappings[0].type"));
    }

    @Test
    void tenThousandMrnsTimesFiveMappingsReconcileInSeconds() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 10_000);
        List<MappingDefinition> mappings = List.of(vitalSigns(81, 1), vitalSigns(82, 1), vitalSigns(83, 1),
                socialHistory(84, 1), socialHistory(85, 1));

        long start = System.nanoTime();
        ReconcileReport first = reconcile(project, mappings);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        ReconcileReport second = reconcile(project, mappings);

        assertThat(first.created()).isEqualTo(50_000);
        assertThat(second).isEqualTo(new ReconcileReport(0, 0, 0, 0));
        assertThat(took).as("50,000 instances created in one set-based transaction").isLessThan(Duration.ofSeconds(20));
        // Leave nothing pending for the publisher to chew on in later tests.
        reconcile(project, List.of());
    }
}
