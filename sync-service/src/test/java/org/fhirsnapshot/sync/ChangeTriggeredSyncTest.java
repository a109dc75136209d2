package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MappingChanged;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/**
 * Flows 1 and 2: a change at config-service or mrn-service opens (or joins) the project's sync task, which makes
 * mrn-service reconcile. The test resources here are global: every test class of the module shares them.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "sync"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service,mrn-service"))
class ChangeTriggeredSyncTest {

    private static final Duration SYNCED = Duration.ofSeconds(45);

    @Test
    void mappingCreatedAtConfigServiceSyncsAnInstanceForEveryMrn() {
        String project = SiblingServices.newProject();
        SiblingServices.addMrns(project, "SYNC-1001", "SYNC-1002", "SYNC-1003");
        long vitals = SiblingServices.addMapping(project, "vital-signs");
        long allergies = SiblingServices.addMapping(project, "allergies");

        await().atMost(SYNCED).untilAsserted(() -> {
            List<Map<String, Object>> instances = SiblingServices.instances(project);
            assertThat(instances).hasSize(6);
            assertThat(instances).extracting(i -> ((Number) i.get("mappingId")).longValue())
                    .containsOnly(vitals, allergies);
            assertThat(instances).extracting(i -> (String) i.get("mrn")).containsOnly("SYNC-1001", "SYNC-1002",
                    "SYNC-1003");
            assertThat(instances).extracting(i -> (String) i.get("status")).isSubsetOf("pending", "fetching");
        });
        await().atMost(SYNCED).untilAsserted(() -> {
            List<Map<String, Object>> syncs = SyncTasks.of(project, "sync");
            assertThat(syncs).extracting(t -> t.get("status")).containsOnly("completed");
            assertThat(syncs).extracting(t -> (String) t.get("trigger")).isSubsetOf("mapping-changed", "mrn-changed");
            List<String> lines = syncs.stream().flatMap(t -> SyncTasks.log(project, SyncTasks.id(t)).stream())
                    .toList();
            assertThat(syncs.stream().mapToInt(t -> reported(t, "created")).sum())
                    .as("instances created over all sync tasks").isEqualTo(6);
            assertThat(lines).anyMatch(line -> line.matches("(opened|joined): 3 MRN\\(s\\) added, 0 removed"))
                    .anyMatch(line -> line.matches("(opened|joined): mapping " + vitals + " created \\(revision 1\\)"));
            assertThat(syncs).allSatisfy(t -> assertThat(t.get("progress")).isEqualTo(Map.of("done", 2, "total", 2)));
        });
    }

    @Test
    void rapidMappingChangesJoinOnePendingSyncTaskInsteadOfOpeningMore() {
        String project = SiblingServices.newProject();
        try (KafkaEvents events = new KafkaEvents()) {
            for (int mapping = 1; mapping <= 10; mapping++) {
                events.send(Topics.MAPPING_CHANGED, project,
                        MappingChanged.of(project, mapping, MappingChanged.Change.updated, 3));
            }
            events.flush();
        }

        AtomicInteger mostPendingSeen = new AtomicInteger();
        await().atMost(SYNCED).untilAsserted(() -> {
            List<Map<String, Object>> syncs = SyncTasks.of(project, "sync");
            mostPendingSeen.accumulateAndGet((int) syncs.stream().filter(t -> "pending".equals(t.get("status")))
                    .count(), Math::max);
            assertThat(syncs).isNotEmpty().extracting(t -> t.get("status")).containsOnly("completed");
            List<String> lines = syncs.stream().flatMap(t -> SyncTasks.log(project, SyncTasks.id(t)).stream())
                    .filter(line -> line.startsWith("opened: ") || line.startsWith("joined: ")).toList();
            assertThat(lines).as("one line per event, each event in exactly one task").hasSize(10)
                    .contains("joined: mapping 10 updated (revision 3)");
            // Ten events in well under the debounce window: they share one task (two if a run started between).
            assertThat(syncs).hasSizeLessThanOrEqualTo(2);
        });
        assertThat(mostPendingSeen.get()).isLessThanOrEqualTo(1);
    }

    @Test
    void redeliveredMappingChangeChangesNothing() {
        String project = SiblingServices.newProject();
        MappingChanged event = MappingChanged.of(project, 41, MappingChanged.Change.created, 1);
        try (KafkaEvents events = new KafkaEvents()) {
            events.send(Topics.MAPPING_CHANGED, project, event);
            events.send(Topics.MAPPING_CHANGED, project, event);
            events.send(Topics.MAPPING_CHANGED, project, event);
            // Same key, same partition: once this one is handled, the copies before it were too.
            events.send(Topics.MAPPING_CHANGED, project,
                    MappingChanged.of(project, 42, MappingChanged.Change.created, 1));
            events.flush();
        }

        await().atMost(SYNCED).untilAsserted(() -> {
            List<String> lines = SyncTasks.of(project, "sync").stream()
                    .flatMap(t -> SyncTasks.log(project, SyncTasks.id(t)).stream()).toList();
            assertThat(lines).anyMatch(line -> line.endsWith("mapping 42 created (revision 1)"));
            assertThat(lines).filteredOn(line -> line.endsWith("mapping 41 created (revision 1)")).hasSize(1);
        });
    }

    @Test
    void changeOfAProjectConfigServiceDoesNotKnowFailsItsTaskWithProjectNotFound() {
        String project = "unknown-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaEvents events = new KafkaEvents()) {
            events.send(Topics.MAPPING_CHANGED, project,
                    MappingChanged.of(project, 7, MappingChanged.Change.created, 1));
            events.flush();
        }

        await().atMost(SYNCED).untilAsserted(() -> {
            List<Map<String, Object>> syncs = SyncTasks.of(project, "sync");
            assertThat(syncs).hasSize(1);
            assertThat(syncs.get(0)).containsEntry("status", "failed").containsKey("finishedAt");
            assertThat((String) syncs.get(0).get("error")).startsWith("project not found");
        });
    }

    @Test
    void unreadableMessageGoesToTheDeadLetterTopicAndLaterMessagesStillSync() {
        String poisonKey = "poison-" + UUID.randomUUID().toString().substring(0, 8);
        String project = SiblingServices.newProject();
        try (KafkaEvents events = new KafkaEvents()) {
            events.sendRaw(Topics.MAPPING_CHANGED, poisonKey, "{this is not json");
            events.send(Topics.MAPPING_CHANGED, project,
                    MappingChanged.of(project, 5, MappingChanged.Change.created, 1));
            events.flush();
        }

        await().atMost(SYNCED).untilAsserted(() -> assertThat(SyncTasks.of(project, "sync"))
                .extracting(t -> t.get("status")).containsExactly("completed"));
        await().atMost(SYNCED).untilAsserted(
                () -> assertThat(KafkaEvents.keysOn(Topics.MAPPING_CHANGED + Topics.DEAD_LETTER_SUFFIX))
                        .contains(poisonKey));
    }

    @SuppressWarnings("unchecked")
    static int reported(Map<String, Object> task, String count) {
        return ((Number) ((Map<String, Object>) task.get("report")).get(count)).intValue();
    }
}
