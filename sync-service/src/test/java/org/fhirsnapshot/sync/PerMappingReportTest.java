package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reports keep what mrn-service's reconcile answers beyond the four counts: {@code reused} and {@code byMapping}. */
@QuarkusTest
class PerMappingReportTest {

    private static final Duration DONE = Duration.ofSeconds(45);

    @Test
    @SuppressWarnings("unchecked")
    void syncReportsWhatItDidPerMappingAndAFullSyncAfterwardsHasNothingToDo() {
        String project = SiblingServices.newProject();
        SiblingServices.addMrns(project, "BYMAP-1", "BYMAP-2");
        long labs = SiblingServices.addMapping(project, "laboratory");

        await().atMost(DONE).untilAsserted(() -> {
            List<Map<String, Object>> syncs = SyncTasks.of(project, "sync");
            assertThat(syncs).isNotEmpty().extracting(t -> t.get("status")).containsOnly("completed");
            List<Map<String, Object>> reports = syncs.stream().map(t -> (Map<String, Object>) t.get("report"))
                    .toList();
            assertThat(reports).allSatisfy(report -> assertThat(report).containsKeys("reused", "byMapping"));
            int createdForLabs = reports.stream()
                    .flatMap(report -> ((List<Map<String, Object>>) report.get("byMapping")).stream())
                    .filter(entry -> ((Number) entry.get("mappingId")).longValue() == labs)
                    .mapToInt(entry -> ((Number) entry.get("created")).intValue()).sum();
            assertThat(createdForLabs).as("instances created for the mapping over all sync tasks").isEqualTo(2);
        });

        long fullSync = SyncTasks.request(project, Map.of("type", "full-sync")).statusCode(202).extract()
                .jsonPath().getLong("id");
        JsonPath done = ManualTaskTest.awaitFinished(project, fullSync);
        assertThat(done.getString("status")).isEqualTo("completed");
        assertThat(done.getMap("report")).containsEntry("created", 0).containsEntry("reused", 0)
                .containsEntry("byMapping", List.of()).containsEntry("summary", "nothing to do");
    }
}
