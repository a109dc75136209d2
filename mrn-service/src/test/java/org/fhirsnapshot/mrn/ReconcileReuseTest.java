package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.mrn.Fixtures.activeInstance;
import static org.fhirsnapshot.mrn.Fixtures.applyResult;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcileResult;
import static org.fhirsnapshot.mrn.Fixtures.socialHistory;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.ReconcileRequest;
import org.fhirsnapshot.mrn.ReconcileResult.MappingReport;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class ReconcileReuseTest {

    private static void complete(ClaimedInstance claimed, String payloadRef) {
        applyResult(FetchResult.completed(claimed.instanceId(), claimed.claimToken(), payloadRef,
                new Pagination(2, 12, 1, 4_000), List.of("4119: more data may exist"), null));
    }

    private static Map<String, Object> row(long id) {
        return TestDatabase.query("""
                select status, payload_ref, fetched_at, pagination::text as pagination, warnings::text as warnings,
                       deleted_from_status
                from instance where id = ?
                """, id).get(0);
    }

    @Test
    void reAddingARemovedMrnRestoresItsCompletedInstancesInsteadOfFetchingThemAgain() {
        String project = Fixtures.projectInConfigService();
        given().contentType(ContentType.JSON).body(Map.of("mrns", List.of("R-1", "R-2")))
                .post("/api/projects/{key}/mrns", project).then().statusCode(200);
        reconcileResult(project, List.of(vitalSigns(801, 1), socialHistory(802, 1)));
        long vital = activeInstance(project, "R-1", 801);
        long social = activeInstance(project, "R-1", 802);
        List<ClaimedInstance> claimed = claim(List.of(vital, social), 300);
        complete(claimed.get(0), "sha256:r1-vital");
        applyResult(FetchResult.failed(social, claimed.get(1).claimToken(), "not_found", "No such patient", false,
                List.of(), null));
        Map<String, Object> before = row(vital);

        given().delete("/api/projects/{key}/mrns/{mrn}", project, "R-1").then().statusCode(204);
        assertThat(row(vital)).containsEntry("status", "deleted").containsEntry("deleted_from_status", "completed");
        given().contentType(ContentType.JSON).body(Map.of("mrns", List.of("R-1")))
                .post("/api/projects/{key}/mrns", project).then().statusCode(200).body("added", equalTo(1));

        ReconcileResult result = reconcileResult(project, List.of(vitalSigns(801, 1), socialHistory(802, 1)));

        assertThat(result.reused()).isEqualTo(1);
        assertThat(result.created()).as("the failed one is fetched again").isEqualTo(1);
        assertThat(result.byMapping()).containsExactly(new MappingReport(801, 0, 0, 0, 1),
                new MappingReport(802, 1, 0, 0, 0));
        assertThat(activeInstance(project, "R-1", 801)).as("the same row, restored").isEqualTo(vital);
        Map<String, Object> restored = row(vital);
        assertThat(restored).containsEntry("status", "completed").containsEntry("deleted_from_status", null)
                .containsEntry("payload_ref", "sha256:r1-vital").containsEntry("fetched_at", before.get("fetched_at"))
                .containsEntry("pagination", before.get("pagination"));
        assertThat(TestDatabase.statuses(List.of(activeInstance(project, "R-1", 802))).values())
                .containsExactly("pending");
        ReconcileResult again = reconcileResult(project, List.of(vitalSigns(801, 1), socialHistory(802, 1)));
        assertThat(again).isEqualTo(new ReconcileResult(0, 0, 0, 0, 0, List.of()));
    }

    @Test
    void aRemovedMrnReAddedAfterItsMappingChangedIsFetchedAgain() {
        String project = Fixtures.newProjectKey();
        List<Long> mrnIds = TestDatabase.seedMrns(project, 1);
        reconcileResult(project, List.of(vitalSigns(811, 1)));
        long first = Fixtures.instanceIds(project).get(0);
        complete(claim(List.of(first), 300).get(0), "sha256:old-revision");
        TestDatabase.update("update mrn set active = false where id = ?", mrnIds.get(0));
        reconcileResult(project, List.of(vitalSigns(811, 1)));
        TestDatabase.update("update mrn set active = true where id = ?", mrnIds.get(0));

        ReconcileResult result = reconcileResult(project, List.of(vitalSigns(811, 2)));

        assertThat(result.reused()).isZero();
        assertThat(result.created()).isEqualTo(1);
        assertThat(TestDatabase.statuses(List.of(first)).get(first)).isEqualTo("deleted");
    }

    @Test
    void aMappingIdenticalToACurrentOneReusesItsCompletedPayloads() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcileResult(project, List.of(vitalSigns(821, 1), socialHistory(822, 1)));
        long done = activeInstance(project, "MRN-000001", 821);
        complete(claim(List.of(done), 300).get(0), "sha256:vitals-1");
        Map<String, Object> source = row(done);

        // 823 has the same query as 821 (vital signs); 824 is social history, whose instances are not completed.
        ReconcileResult result = reconcileResult(project,
                List.of(vitalSigns(821, 1), socialHistory(822, 1), vitalSigns(823, 1), socialHistory(824, 1)));

        assertThat(result.reused()).isEqualTo(1);
        assertThat(result.created()).isEqualTo(3);
        assertThat(result.byMapping()).containsExactly(new MappingReport(823, 1, 0, 0, 1),
                new MappingReport(824, 2, 0, 0, 0));
        Map<String, Object> reused = row(activeInstance(project, "MRN-000001", 823));
        assertThat(reused).containsEntry("status", "completed").containsEntry("payload_ref", "sha256:vitals-1")
                .containsEntry("fetched_at", source.get("fetched_at"))
                .containsEntry("pagination", source.get("pagination"))
                .containsEntry("warnings", source.get("warnings"));
        assertThat(TestDatabase.statuses(List.of(activeInstance(project, "MRN-000002", 823))).values())
                .as("nothing completed to reuse for MRN 2").containsExactly("pending");
    }

    @Test
    void theReconcileAnswerCarriesTheContractFieldsReusedAndCountsPerMapping() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcileResult(project, List.of(vitalSigns(831, 1), socialHistory(832, 1)));

        JsonPath answer = given().contentType(ContentType.JSON)
                .body(new ReconcileRequest(Fixtures.FHIR_SYSTEM_ID, List.of(vitalSigns(831, 2))))
                .post("/internal/projects/{key}/reconcile", project).then().statusCode(200).extract().jsonPath();

        assertThat(answer.<String, Object>getMap("")).containsOnlyKeys("created", "outdated", "deleted", "requeued",
                "reused", "byMapping");
        assertThat(answer.getInt("created")).isEqualTo(2);
        assertThat(answer.getInt("outdated")).isEqualTo(2);
        assertThat(answer.getInt("deleted")).isEqualTo(2);
        assertThat(answer.getInt("reused")).isZero();
        assertThat(answer.getList("byMapping", Map.class)).containsExactly(
                Map.of("mappingId", 831, "created", 2, "outdated", 2, "deleted", 0, "reused", 0),
                Map.of("mappingId", 832, "created", 0, "outdated", 0, "deleted", 2, "reused", 0));
    }
}
