package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.mrn.Fixtures.applyResult;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.socialHistory;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

/** The MRN grid of the console's Resources page: instance ids, filters, keyset paging. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class MrnGridTest {

    private static final long VITALS = 701;
    private static final long SOCIAL = 702;

    /**
     * Five MRNs x two mappings (701, 702). Byte order: AB-1, AB-2, AB_5, AC-3, ab-4.
     * <ul>
     * <li>AB-1: both completed</li>
     * <li>AB-2: 701 failed protected, 702 failed server_error (last attempt)</li>
     * <li>AB_5: 701 pending, 702 fetching</li>
     * <li>AC-3: 701 completed, 702 pending</li>
     * <li>ab-4: both pending</li>
     * </ul>
     */
    private static String grid() {
        String project = Fixtures.newProjectKey();
        for (String mrn : List.of("ab-4", "AC-3", "AB_5", "AB-2", "AB-1")) {
            TestDatabase.update("insert into mrn (project_key, mrn) values (?, ?)", project, mrn);
        }
        reconcile(project, List.of(vitalSigns(VITALS, 1), socialHistory(SOCIAL, 1)));
        long ab1Vitals = Fixtures.activeInstance(project, "AB-1", VITALS);
        long ab1Social = Fixtures.activeInstance(project, "AB-1", SOCIAL);
        long ab2Vitals = Fixtures.activeInstance(project, "AB-2", VITALS);
        long ab2Social = Fixtures.activeInstance(project, "AB-2", SOCIAL);
        long ac3Vitals = Fixtures.activeInstance(project, "AC-3", VITALS);
        long ab5Social = Fixtures.activeInstance(project, "AB_5", SOCIAL);
        List<ClaimedInstance> claimed = claim(List.of(ab1Vitals, ab1Social, ab2Vitals, ab2Social, ac3Vitals,
                ab5Social), 300);
        assertThat(claimed).hasSize(6);
        Map<Long, String> tokens = new LinkedHashMap<>();
        claimed.forEach(c -> tokens.put(c.instanceId(), c.claimToken()));
        applyResult(FetchResult.completed(ab1Vitals, tokens.get(ab1Vitals), "sha256:a1", null, List.of(), null));
        applyResult(FetchResult.completed(ab1Social, tokens.get(ab1Social), "sha256:a2", null, List.of(), null));
        applyResult(FetchResult.completed(ac3Vitals, tokens.get(ac3Vitals), "sha256:c1", null, List.of(), null));
        applyResult(FetchResult.failed(ab2Vitals, tokens.get(ab2Vitals), "protected", "Break-the-glass", true,
                List.of(), null));
        TestDatabase.update("update instance set attempt = 5 where id = ?", ab2Social);
        applyResult(FetchResult.failed(ab2Social, tokens.get(ab2Social), "server_error", "HTTP 503", false,
                List.of(), null));
        return project;
    }

    private static JsonPath list(String project, Map<String, ?> query) {
        return given().queryParams(query).get("/api/projects/{key}/mrns", project).then().statusCode(200).extract()
                .jsonPath();
    }

    private static List<String> mrns(String project, Map<String, ?> query) {
        JsonPath page = list(project, query);
        List<String> mrns = page.getList("items.mrn", String.class);
        assertThat(page.getLong("total")).as("total of %s", query).isEqualTo(mrns.size());
        return mrns;
    }

    @Test
    void eachResourceCarriesTheIdOfItsActiveInstanceAsTheInstanceListNamesIt() {
        String project = grid();

        JsonPath page = list(project, Map.of());

        List<Map<String, Object>> items = page.getList("items");
        assertThat(items).hasSize(5);
        for (Map<String, Object> item : items) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> resources = (List<Map<String, Object>>) item.get("resources");
            assertThat(resources).hasSize(2);
            for (Map<String, Object> resource : resources) {
                long instanceId = ((Number) resource.get("instanceId")).longValue();
                JsonPath instance = given().queryParam("mrn", item.get("mrn"))
                        .queryParam("mapping", resource.get("mappingId")).get("/api/projects/{key}/instances", project)
                        .then().statusCode(200).extract().jsonPath();
                assertThat(instance.getLong("total")).isEqualTo(1);
                assertThat(instance.getLong("items[0].id")).isEqualTo(instanceId);
                assertThat(instance.getString("items[0].status")).isEqualTo(resource.get("status"));
            }
        }
    }

    @Test
    void mrnsAreInByteOrderAndThePrefixFilterIsExactCaseWithoutWildcards() {
        String project = grid();

        assertThat(mrns(project, Map.of())).containsExactly("AB-1", "AB-2", "AB_5", "AC-3", "ab-4");
        assertThat(mrns(project, Map.of("mrn", "AB"))).containsExactly("AB-1", "AB-2", "AB_5");
        assertThat(mrns(project, Map.of("mrn", "AB_"))).containsExactly("AB_5");
        assertThat(mrns(project, Map.of("mrn", "ab"))).containsExactly("ab-4");
        assertThat(mrns(project, Map.of("mrn", "AB-1"))).containsExactly("AB-1");
        assertThat(mrns(project, Map.of("mrn", "AB-10"))).isEmpty();
        assertThat(mrns(project, Map.of("mrn", "A"))).containsExactly("AB-1", "AB-2", "AB_5", "AC-3");
    }

    @Test
    void theStatusFilterKeepsMrnsWithAnActiveInstanceInThatStatus() {
        String project = grid();

        assertThat(mrns(project, Map.of("status", "completed"))).containsExactly("AB-1", "AC-3");
        assertThat(mrns(project, Map.of("status", "failed"))).containsExactly("AB-2");
        assertThat(mrns(project, Map.of("status", "pending"))).containsExactly("AB_5", "AC-3", "ab-4");
        assertThat(mrns(project, Map.of("status", "fetching"))).containsExactly("AB_5");
        assertThat(mrns(project, Map.of("status", "outdated"))).isEmpty();
        // the items still list every active resource of the MRN
        assertThat(list(project, Map.of("status", "fetching")).getList("items[0].resources.status"))
                .containsExactly("pending", "fetching");
    }

    @Test
    void theProtectedFilterKeepsMrnsWithAProtectedActiveInstance() {
        String project = grid();

        assertThat(mrns(project, Map.of("protected", "true"))).containsExactly("AB-2");
        assertThat(mrns(project, Map.of("protected", "false"))).hasSize(5);
    }

    @Test
    void theMappingFilterKeepsMrnsWithAnActiveInstanceOfItAndStillListsEveryResource() {
        String project = grid();
        TestDatabase.update("""
                update instance set status = 'deleted', deleted_from_status = status
                where mrn_id = (select id from mrn where project_key = ? and mrn = 'ab-4') and mapping_id = ?
                """, project, SOCIAL);

        assertThat(mrns(project, Map.of("mapping", VITALS))).hasSize(5);
        assertThat(mrns(project, Map.of("mapping", SOCIAL))).containsExactly("AB-1", "AB-2", "AB_5", "AC-3");
        assertThat(mrns(project, Map.of("mapping", 999))).isEmpty();
        assertThat(list(project, Map.of("mapping", VITALS, "mrn", "AB-1")).getList("items[0].resources.mappingId"))
                .containsExactly((int) VITALS, (int) SOCIAL);
    }

    @Test
    void combinedFiltersDescribeOneInstance() {
        String project = grid();

        assertThat(mrns(project, Map.of("status", "pending", "mapping", SOCIAL))).containsExactly("AC-3", "ab-4");
        assertThat(mrns(project, Map.of("status", "pending", "mapping", VITALS))).containsExactly("AB_5", "ab-4");
        assertThat(mrns(project, Map.of("status", "pending", "mapping", SOCIAL, "mrn", "A")))
                .containsExactly("AC-3");
        // AB-2's protected instance is 701's; its 702 instance failed too, but is not protected
        assertThat(mrns(project, Map.of("status", "failed", "protected", "true", "mapping", VITALS)))
                .containsExactly("AB-2");
        assertThat(mrns(project, Map.of("status", "failed", "protected", "true", "mapping", SOCIAL))).isEmpty();
        assertThat(mrns(project, Map.of("status", "completed", "mrn", "AB"))).containsExactly("AB-1");
    }

    @Test
    void outdatedAndDeletedFindActiveMrnsWithThatHistoryButNeverRemovedMrns() {
        String project = Fixtures.projectInConfigService();
        given().contentType("text/plain").body("H-1\nH-2\nH-3\n").post("/api/projects/{key}/mrns", project).then()
                .statusCode(200);
        reconcile(project, List.of(vitalSigns(801, 1), socialHistory(802, 1)));
        given().delete("/api/projects/{key}/mrns/{mrn}", project, "H-3").then().statusCode(204);
        // 801 updated (its revision-1 instances outdated), 802 removed (its instances deleted)
        reconcile(project, List.of(vitalSigns(801, 2)));

        assertThat(mrns(project, Map.of("status", "outdated"))).containsExactly("H-1", "H-2");
        assertThat(mrns(project, Map.of("status", "deleted"))).containsExactly("H-1", "H-2");
        assertThat(mrns(project, Map.of("status", "deleted", "mapping", 802))).containsExactly("H-1", "H-2");
        assertThat(mrns(project, Map.of("status", "deleted", "mapping", 801))).isEmpty();
        assertThat(mrns(project, Map.of("mapping", 802))).isEmpty();
        JsonPath page = list(project, Map.of("status", "outdated"));
        assertThat(page.getList("items[0].resources.mappingId")).containsExactly(801);
        assertThat(page.getList("items[0].resources.status")).containsExactly("pending");
    }

    @Test
    void pagesFollowByOffsetOrByAfterWithTheSameOrderAndTotal() {
        String project = grid();

        JsonPath first = list(project, Map.of("size", 2));
        assertThat(first.getList("items.mrn")).containsExactly("AB-1", "AB-2");
        assertThat(first.getString("next")).isEqualTo("AB-2");
        assertThat(first.getLong("total")).isEqualTo(5);
        JsonPath second = list(project, Map.of("size", 2, "after", "AB-2"));
        assertThat(second.getList("items.mrn")).containsExactly("AB_5", "AC-3");
        assertThat(second.getString("next")).isEqualTo("AC-3");
        assertThat(second.getLong("total")).isEqualTo(5);
        JsonPath last = list(project, Map.of("size", 2, "after", "AC-3"));
        assertThat(last.getList("items.mrn")).containsExactly("ab-4");
        assertThat(last.prettify()).doesNotContain("\"next\"");
        assertThat(list(project, Map.of("size", 2, "page", 1)).getList("items.mrn")).containsExactly("AB_5", "AC-3");
        JsonPath lastByPage = list(project, Map.of("size", 2, "page", 2));
        assertThat(lastByPage.getList("items.mrn")).containsExactly("ab-4");
        assertThat(lastByPage.prettify()).doesNotContain("\"next\"");
        // after need not be an MRN of the list
        assertThat(list(project, Map.of("after", "AB-10")).getList("items.mrn")).containsExactly("AB-2", "AB_5",
                "AC-3", "ab-4");

        JsonPath pending = list(project, Map.of("size", 2, "status", "pending"));
        assertThat(pending.getList("items.mrn")).containsExactly("AB_5", "AC-3");
        assertThat(pending.getLong("total")).isEqualTo(3);
        assertThat(list(project, Map.of("size", 2, "status", "pending", "after", pending.getString("next")))
                .getList("items.mrn")).containsExactly("ab-4");
    }

    @Test
    void badFilterValuesAreProblemsThatNameWhatToSendAndNeverRepeatTheValue() {
        String project = grid();

        given().queryParam("status", "done").get("/api/projects/{key}/mrns", project).then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("errors[0].field", equalTo("status"))
                .body("errors[0].message",
                        containsString("pending, fetching, completed, failed, outdated, deleted"));
        given().queryParam("protected", "1").get("/api/projects/{key}/mrns", project).then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("errors[0].field", equalTo("protected"));
        given().queryParam("mapping", "vitals").get("/api/projects/{key}/mrns", project).then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("errors[0].field", equalTo("mapping"));
        given().queryParam("mrn", "AB 1").get("/api/projects/{key}/mrns", project).then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("errors[0].field", equalTo("mrn"))
                .body(not(containsString("AB 1")));
        given().queryParam("after", "AB-1;").get("/api/projects/{key}/mrns", project).then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("errors[0].field", equalTo("after"))
                .body(not(containsString("AB-1")));
        given().queryParam("after", "AB-1").queryParam("page", 1).get("/api/projects/{key}/mrns", project).then()
                .statusCode(400).contentType(startsWith(Problem.MEDIA_TYPE)).body("errors[0].field", equalTo("page"))
                .body(not(containsString("AB-1")));
    }

    @Test
    void filtersOpenNothingToRolesBelowManager() {
        String project = grid();
        for (String role : List.of("reader", "exporter")) {
            RequestSpecification request = given().noFilters()
                    .header("Authorization", "Bearer " + TestTokens.projectUser(project, role));
            request.queryParam("status", "failed").queryParam("mrn", "AB").get("/api/projects/{key}/mrns", project)
                    .then().statusCode(403).contentType(startsWith(Problem.MEDIA_TYPE))
                    .body(not(containsString("AB-2")));
        }
        given().noFilters().header("Authorization", "Bearer " + TestTokens.projectUser(project, "manager"))
                .queryParam("status", "failed").get("/api/projects/{key}/mrns", project).then().statusCode(200)
                .body("items.mrn", equalTo(List.of("AB-2")));
    }
}
