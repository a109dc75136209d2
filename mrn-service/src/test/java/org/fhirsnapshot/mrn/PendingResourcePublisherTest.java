package org.fhirsnapshot.mrn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.sendResult;
import static org.fhirsnapshot.mrn.Fixtures.socialHistory;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.PendingResource;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** The test configuration sets a window of 5 instances per project. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class PendingResourcePublisherTest {

    private static final int WINDOW = 5;

    private static List<PendingResource> messagesOf(TestKafka.Reader reader, String project) {
        return reader.poll().stream().map(PendingResourcePublisherTest::read)
                .filter(message -> message.projectKey().equals(project)).toList();
    }

    private static PendingResource read(ConsumerRecord<String, String> record) {
        try {
            PendingResource message = TestKafka.JSON.readValue(record.value(), PendingResource.class);
            assertThat(record.key()).as("keyed by instance id").isEqualTo(Long.toString(message.instanceId()));
            return message;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long inFlight(String project) {
        return TestDatabase.count("""
                select count(*) from instance where project_key = ?
                  and (status = 'fetching' or (status = 'pending' and published_at is not null))
                """, project);
    }

    @Test
    void pendingInstancesArePublishedNeverMoreThanTheWindowInFlight() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 4);
        try (TestKafka.Reader reader = TestKafka.read(Topics.PENDING_RESOURCE)) {
            reconcile(project, List.of(vitalSigns(301, 1), socialHistory(302, 1), socialHistory(303, 1)));
            List<Long> ids = Fixtures.instanceIds(project);
            assertThat(ids).hasSize(12);

            await().atMost(Duration.ofSeconds(20)).until(() -> messagesOf(reader, project).size() >= WINDOW);
            // For several publisher runs, the window stays full and nothing more is published.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
                List<PendingResource> messages = messagesOf(reader, project);
                return messages.size() == WINDOW && inFlight(project) == WINDOW;
            });
            List<PendingResource> first = messagesOf(reader, project);
            assertThat(first).extracting(PendingResource::instanceId).as("the lowest ids first")
                    .containsExactlyInAnyOrderElementsOf(ids.subList(0, 5));
            assertThat(first).allSatisfy(m -> {
                assertThat(m.attempt()).isEqualTo(1);
                assertThat(m.schemaVersion()).isEqualTo(PendingResource.SCHEMA_VERSION);
            });

            // A claim keeps them in flight; completing three frees three places in the window.
            List<ClaimedInstance> claimed = claim(ids.subList(0, 5), 300);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> messagesOf(reader, project).size() == WINDOW);
            claimed.subList(0, 3).forEach(c -> sendResult(FetchResult.completed(c.instanceId(), c.claimToken(),
                    "sha256:" + c.instanceId(), null, List.of(), null)));

            await().atMost(Duration.ofSeconds(20)).until(() -> messagesOf(reader, project).size() >= WINDOW + 3);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> messagesOf(reader, project).size() == WINDOW + 3 && inFlight(project) == WINDOW);
            Set<Long> published = messagesOf(reader, project).stream().map(PendingResource::instanceId)
                    .collect(Collectors.toSet());
            assertThat(published).containsExactlyInAnyOrderElementsOf(ids.subList(0, 8));
        }
    }

    @Test
    void aSmallProjectIsPublishedWhileALargeOneHasMuchPending() {
        String large = Fixtures.newProjectKey();
        String small = Fixtures.newProjectKey();
        TestDatabase.seedMrns(large, 200);
        TestDatabase.seedMrns(small, 2);
        try (TestKafka.Reader reader = TestKafka.read(Topics.PENDING_RESOURCE)) {
            reconcile(large, List.of(vitalSigns(311, 1)));
            reconcile(small, List.of(vitalSigns(312, 1)));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(messagesOf(reader, small)).hasSize(2);
                assertThat(messagesOf(reader, large)).hasSize(WINDOW);
            });
        } finally {
            reconcile(large, List.of());
        }
    }

    @Test
    void aPublishedInstanceNotClaimedInTimeIsPublishedAgain() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        try (TestKafka.Reader reader = TestKafka.read(Topics.PENDING_RESOURCE)) {
            reconcile(project, List.of(vitalSigns(321, 1)));
            long id = Fixtures.instanceIds(project).get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> messagesOf(reader, project).size() == 1);

            // As if its message was lost long ago (republish-after is 60 s).
            TestDatabase.update("update instance set published_at = now() - interval '61 seconds' where id = ?", id);

            await().atMost(Duration.ofSeconds(20)).until(() -> messagesOf(reader, project).size() == 2);
            assertThat(messagesOf(reader, project)).extracting(PendingResource::instanceId).containsOnly(id);
            Map<String, Object> row = TestDatabase.query(
                    "select published_at > now() - interval '30 seconds' as recent from instance where id = ?", id)
                    .get(0);
            assertThat(row.get("recent")).isEqualTo(true);
        }
    }
}
