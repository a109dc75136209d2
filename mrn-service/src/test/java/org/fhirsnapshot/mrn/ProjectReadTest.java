package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.mrn.Fixtures.applyResult;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.socialHistory;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class ProjectReadTest {

    /**
     * 3 MRNs x 2 mappings (501 vital signs, 502 social history). MRN-000001: both completed. MRN-000002: 501
     * failed protected, 502 failed server_error (on its last attempt). MRN-000003: both pending.
     */
    private static String projectWithResults() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 3);
        reconcile(project, List.of(vitalSigns(501, 1), socialHistory(502, 1)));
        List<Long> ids = Fixtures.instanceIds(project);
        List<ClaimedInstance> claimed = claim(ids.subList(0, 4), 300);
        applyResult(FetchResult.completed(ids.get(0), claimed.get(0).claimToken(), "sha256:aa",
                new Pagination(1, 5, 0, 1000), List.of("4122: unknown parameter"), "pat-1"));
        applyResult(FetchResult.completed(ids.get(1), claimed.get(1).claimToken(), "sha256:bb",
                new Pagination(1, 0, 1, 200), List.of(), "pat-1"));
        applyResult(FetchResult.failed(ids.get(2), claimed.get(2).claimToken(), "protected", "Break-the-glass",
                true, List.of(), null));
        // A transient failure is final only on the last attempt (max-attempts 5); earlier ones are retried.
        TestDatabase.update("update instance set attempt = 5 where id = ?", ids.get(3));
        applyResult(FetchResult.failed(ids.get(3), claimed.get(3).claimToken(), "server_error", "HTTP 503", false,
                List.of(), null));
        return project;
    }

    @Test
    void summaryCountsEveryStatusAndEachMapping() {
        String project = projectWithResults();
        reconcile(project, List.of(vitalSigns(501, 1), socialHistory(502, 2))); // 3 outdated, 3 new pending
        TestDatabase.update("update mrn set active = false where project_key = ? and mrn = 'MRN-000003'", project);
        reconcile(project, List.of(vitalSigns(501, 1), socialHistory(502, 2))); // MRN 3's 2 active deleted

        JsonPath summary = given().get("/api/projects/{key}/summary", project).then().statusCode(200).extract()
                .jsonPath();

        assertThat(summary.getLong("mrns")).isEqualTo(2);
        assertThat(summary.<String, Integer>getMap("instances")).containsExactly(Map.entry("pending", 2),
                Map.entry("fetching", 0), Map.entry("completed", 1), Map.entry("failed", 1),
                Map.entry("outdated", 3), Map.entry("deleted", 2));
        assertThat(summary.getLong("protected")).isEqualTo(1);
        assertThat(summary.getList("byMapping", Map.class)).containsExactly(
                Map.of("mappingId", 501, "name", "Vital Signs", "pending", 0, "fetching", 0, "completed", 1,
                        "failed", 1),
                Map.of("mappingId", 502, "name", "Social History 502", "pending", 2, "fetching", 0, "completed", 0,
                        "failed", 0));
    }

    @Test
    void instancesAreListedPagedAndFiltered() {
        String project = projectWithResults();

        JsonPath all = given().queryParam("size", 4).get("/api/projects/{key}/instances", project).then()
                .statusCode(200).extract().jsonPath();
        assertThat(all.getInt("total")).isEqualTo(6);
        assertThat(all.getInt("page")).isEqualTo(0);
        assertThat(all.getList("items")).hasSize(4);
        Map<String, Object> first = all.getMap("items[0]");
        assertThat(first).containsEntry("mrn", "MRN-000001").containsEntry("mappingId", 501)
                .containsEntry("mappingRevision", 1).containsEntry("resourceName", "Vital Signs")
                .containsEntry("resourceSpec", "vital-signs").containsEntry("resourceType", "predefined")
                .containsEntry("status", "completed").containsEntry("protected", false)
                .containsEntry("payloadRef", "sha256:aa").containsEntry("warnings", List.of("4122: unknown parameter"))
                .containsEntry("pagination", Map.of("pages", 1, "resources", 5, "outcomeEntries", 0, "bytes", 1000))
                .containsKey("fetchedAt").doesNotContainKeys("errorClass", "error");
        given().queryParam("size", 4).queryParam("page", 1).get("/api/projects/{key}/instances", project).then()
                .statusCode(200).body("items", hasSize(2)).body("total", equalTo(6));

        given().queryParam("status", "failed").queryParam("mapping", 501)
                .get("/api/projects/{key}/instances", project).then().statusCode(200).body("total", equalTo(1))
                .body("items[0].mrn", equalTo("MRN-000002")).body("items[0].errorClass", equalTo("protected"))
                .body("items[0].error", equalTo("Break-the-glass")).body("items[0].protected", equalTo(true))
                .body("items[0].payloadRef", nullValue());
        given().queryParam("mrn", "MRN-000003").get("/api/projects/{key}/instances", project).then()
                .statusCode(200).body("total", equalTo(2)).body("items.status", equalTo(List.of("pending",
                        "pending")));

        given().queryParam("status", "done").get("/api/projects/{key}/instances", project).then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("errors[0].field", equalTo("status"));
        given().queryParam("mapping", "vitals").get("/api/projects/{key}/instances", project).then()
                .statusCode(400).body("errors[0].field", equalTo("mapping"));
        given().queryParam("size", 0).get("/api/projects/{key}/instances", project).then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void mrnsAreListedWithTheirActiveInstances() {
        String project = projectWithResults();

        JsonPath page = given().queryParam("size", 2).get("/api/projects/{key}/mrns", project).then()
                .statusCode(200).extract().jsonPath();

        assertThat(page.getLong("total")).isEqualTo(3);
        assertThat(page.getList("items.mrn")).containsExactly("MRN-000001", "MRN-000002");
        assertThat(page.getString("items[0].fhirPatientId")).isEqualTo("pat-1");
        assertThat(page.getMap("items[1]")).doesNotContainKey("fhirPatientId");
        assertThat(page.getList("items[0].resources", Map.class)).hasSize(2)
                .allSatisfy(r -> assertThat(r).containsEntry("status", "completed").containsKey("fetchedAt"));
        assertThat(page.<Object>getList("items[1].resources.errorClass")).containsExactly("protected",
                "server_error");
        assertThat(page.<Object>getList("items[1].resources.protected")).containsExactly(true, false);
        assertThat(page.<Object>getList("items[1].resources.error")).containsExactly("Break-the-glass",
                "HTTP 503");
        given().queryParam("size", 2).queryParam("page", 1).get("/api/projects/{key}/mrns", project).then()
                .statusCode(200).body("items.mrn", equalTo(List.of("MRN-000003")))
                .body("items[0].resources.status", equalTo(List.of("pending", "pending")));
    }

    @Test
    void archiveEntriesPageThroughCompletedAndFailedInstancesInIdOrder() {
        String project = projectWithResults();
        List<Long> ids = Fixtures.instanceIds(project);

        List<ArchiveEntry> firstPage = archiveEntries(project, Map.of("limit", List.of("3")));
        List<ArchiveEntry> secondPage = archiveEntries(project,
                Map.of("limit", List.of("3"), "afterId", List.of(Long.toString(firstPage.get(2).instanceId()))));

        assertThat(firstPage).extracting(ArchiveEntry::instanceId).containsExactly(ids.get(0), ids.get(1),
                ids.get(2));
        assertThat(secondPage).extracting(ArchiveEntry::instanceId).containsExactly(ids.get(3));
        ArchiveEntry completed = firstPage.get(0);
        assertThat(completed.mrn()).isEqualTo("MRN-000001");
        assertThat(completed.mappingId()).isEqualTo(501);
        assertThat(completed.mappingKey()).isEqualTo("vital-signs-501");
        assertThat(completed.mappingName()).isEqualTo("Vital Signs");
        assertThat(completed.resourceType()).isEqualTo("Observation");
        assertThat(completed.query()).isEqualTo("Observation?category=vital-signs");
        assertThat(completed.status()).isEqualTo("completed");
        assertThat(completed.payloadRef()).isEqualTo("sha256:aa");
        assertThat(completed.fetchedAt()).isNotNull();
        assertThat(completed.resources()).isEqualTo(5);
        ArchiveEntry protectedEntry = firstPage.get(2);
        assertThat(protectedEntry.status()).isEqualTo("failed");
        assertThat(protectedEntry.errorClass()).isEqualTo("protected");
        assertThat(protectedEntry.error()).isEqualTo("Break-the-glass");
        assertThat(protectedEntry.protectedRecord()).isTrue();

        assertThat(archiveEntries(project, Map.of("mapping", List.of("Vital Signs"))))
                .extracting(ArchiveEntry::instanceId).containsExactly(ids.get(0), ids.get(2));
        assertThat(archiveEntries(project, Map.of("mapping", List.of("social-history-502", "501"))))
                .extracting(ArchiveEntry::instanceId).containsExactly(ids.get(0), ids.get(1), ids.get(2), ids.get(3));
        assertThat(archiveEntries(project, Map.of("mapping", List.of("502"), "mrn", List.of("MRN-000002"))))
                .extracting(ArchiveEntry::instanceId).containsExactly(ids.get(3));
        assertThat(archiveEntries(project, Map.of("mrn", List.of("MRN-000003")))).isEmpty();
    }

    private static List<ArchiveEntry> archiveEntries(String project, Map<String, List<String>> query) {
        var request = given();
        query.forEach((name, values) -> request.queryParam(name, values.toArray()));
        String body = request.get("/internal/projects/{key}/archive-entries", project).then().statusCode(200)
                .extract().asString();
        return Fixtures.read(body, new TypeReference<List<ArchiveEntry>>() {
        });
    }

    @Test
    void retryFailedMovesOnlyMatchingFailedInstancesBackToPending() {
        String project = projectWithResults();
        List<Long> ids = Fixtures.instanceIds(project);

        given().contentType(ContentType.JSON).body(Map.of("errorClasses", List.of("server_error")))
                .post("/internal/projects/{key}/retry-failed", project).then().statusCode(200)
                .body("requeued", equalTo(1));

        Map<String, Object> retried = TestDatabase.query(
                "select status, attempt, error_class, error_message, protected from instance where id = ?",
                ids.get(3)).get(0);
        assertThat(retried).containsEntry("status", "pending").containsEntry("attempt", 5)
                .containsEntry("error_class", null).containsEntry("error_message", null)
                .containsEntry("protected", false);
        assertThat(TestDatabase.statuses(ids).get(ids.get(2))).isEqualTo("failed");

        given().contentType(ContentType.JSON).body(Map.of("mappingIds", List.of(502)))
                .post("/internal/projects/{key}/retry-failed", project).then().statusCode(200)
                .body("requeued", equalTo(0));
        given().post("/internal/projects/{key}/retry-failed", project).then().statusCode(200)
                .body("requeued", equalTo(1)); // no body: every failed instance
        assertThat(TestDatabase.statuses(ids).get(ids.get(2))).isEqualTo("pending");
        given().contentType(ContentType.JSON).body("null").post("/internal/projects/{key}/retry-failed", project)
                .then().statusCode(200).body("requeued", equalTo(0)); // JSON null is no body too (it was a 500)
        given().contentType(ContentType.JSON).body(new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}'})
                .post("/internal/projects/{key}/retry-failed", project).then().statusCode(400); // invalid UTF-8
    }
}
