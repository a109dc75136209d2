package org.fhirsnapshot.mrn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.sendResult;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class FetchResultConsumerTest {

    @Inject
    MeterRegistry registry;

    private ClaimedInstance claimOne(long mappingId) {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        reconcile(project, List.of(vitalSigns(mappingId, 1)));
        return claim(Fixtures.instanceIds(project), 300).get(0);
    }

    private static Map<String, Object> row(long instanceId) {
        return TestDatabase.query("""
                select i.status, i.payload_ref, i.fetched_at is not null as fetched, i.pagination::text as pagination,
                       i.warnings::text as warnings, i.error_class, i.error_message, i.protected, m.fhir_patient_id
                from instance i join mrn m on m.id = i.mrn_id where i.id = ?
                """, instanceId).get(0);
    }

    private double ignoredResults() {
        return registry.get("fhir.snapshot.fetch.results.consumed").tag("result", "ignored").counter().count();
    }

    @Test
    void aResultWithTheCurrentClaimTokenCompletesTheInstance() {
        ClaimedInstance claimed = claimOne(201);

        sendResult(FetchResult.completed(claimed.instanceId(), claimed.claimToken(), "sha256:abc",
                new Pagination(2, 37, 1, 52_000), List.of("4119: more data may exist"), "pat-201"));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(row(claimed.instanceId()).get("status")).isEqualTo("completed"));
        Map<String, Object> row = row(claimed.instanceId());
        assertThat(row.get("payload_ref")).isEqualTo("sha256:abc");
        assertThat(row.get("fetched")).isEqualTo(true);
        assertThat((String) row.get("pagination")).contains("\"pages\": 2", "\"resources\": 37");
        assertThat((String) row.get("warnings")).contains("4119");
        assertThat(row.get("error_class")).isNull();
        assertThat(row.get("fhir_patient_id")).isEqualTo("pat-201");
    }

    @Test
    void aFailedResultStoresTheErrorAndTheProtectedFlag() {
        ClaimedInstance claimed = claimOne(211);

        sendResult(FetchResult.failed(claimed.instanceId(), claimed.claimToken(), "protected",
                "Break-the-glass required (Epic 4130)", true, List.of(), null));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(row(claimed.instanceId()).get("status")).isEqualTo("failed"));
        Map<String, Object> row = row(claimed.instanceId());
        assertThat(row.get("error_class")).isEqualTo("protected");
        assertThat(row.get("error_message")).isEqualTo("Break-the-glass required (Epic 4130)");
        assertThat(row.get("protected")).isEqualTo(true);
        assertThat(row.get("payload_ref")).isNull();
        assertThat(row.get("fetched")).isEqualTo(false);
    }

    @Test
    void aResultWithAStaleClaimTokenChangesNothing() {
        ClaimedInstance claimed = claimOne(221);

        // Same key, so the stale result is consumed before the current one.
        sendResult(FetchResult.failed(claimed.instanceId(), UUID.randomUUID().toString(), "server_error", "stale",
                false, List.of(), "pat-stale"));
        sendResult(FetchResult.completed(claimed.instanceId(), claimed.claimToken(), "sha256:current", null,
                List.of(), null));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(row(claimed.instanceId()).get("status")).isEqualTo("completed"));
        Map<String, Object> row = row(claimed.instanceId());
        assertThat(row.get("payload_ref")).isEqualTo("sha256:current");
        assertThat(row.get("error_message")).isNull();
        assertThat(row.get("fhir_patient_id")).as("a stale result sets nothing").isNull();
    }

    @Test
    void aDuplicateResultIsHarmless() {
        ClaimedInstance claimed = claimOne(231);
        FetchResult result = FetchResult.completed(claimed.instanceId(), claimed.claimToken(), "sha256:first", null,
                List.of(), null);
        sendResult(result);
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(row(claimed.instanceId()).get("status")).isEqualTo("completed"));
        double ignoredBefore = ignoredResults();

        sendResult(result);
        sendResult(FetchResult.failed(claimed.instanceId(), claimed.claimToken(), "timeout", "late", false,
                List.of(), null));

        await().atMost(Duration.ofSeconds(15)).until(() -> ignoredResults() >= ignoredBefore + 2);
        Map<String, Object> row = row(claimed.instanceId());
        assertThat(row.get("status")).isEqualTo("completed");
        assertThat(row.get("payload_ref")).isEqualTo("sha256:first");
        assertThat(row.get("error_class")).isNull();
    }

    @Test
    void aResultForAnInstanceOutdatedMeanwhileChangesNothing() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 1);
        reconcile(project, List.of(vitalSigns(241, 1)));
        ClaimedInstance claimed = claim(Fixtures.instanceIds(project), 300).get(0);
        reconcile(project, List.of(vitalSigns(241, 2)));
        assertThat(row(claimed.instanceId()).get("status")).isEqualTo("outdated");
        double ignoredBefore = ignoredResults();

        sendResult(FetchResult.completed(claimed.instanceId(), claimed.claimToken(), "sha256:late", null, List.of(),
                null));

        await().atMost(Duration.ofSeconds(15)).until(() -> ignoredResults() >= ignoredBefore + 1);
        Map<String, Object> row = row(claimed.instanceId());
        assertThat(row.get("status")).isEqualTo("outdated");
        assertThat(row.get("payload_ref")).isNull();
    }

    @Test
    void aMalformedMessageGoesToTheDeadLetterTopicAndLaterResultsStillApply() {
        ClaimedInstance claimed = claimOne(241);
        String marker = "not json " + UUID.randomUUID();

        try (TestKafka.Reader dlq = TestKafka.read(Topics.FETCH_RESULT + Topics.DEAD_LETTER_SUFFIX)) {
            TestKafka.produce(Topics.FETCH_RESULT, Long.toString(claimed.instanceId()), "{" + marker);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(dlq.poll())
                    .anySatisfy(record -> assertThat(record.value()).contains(marker)));
        }
        sendResult(FetchResult.completed(claimed.instanceId(), claimed.claimToken(), "sha256:after", null,
                List.of(), null));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(row(claimed.instanceId()).get("status")).isEqualTo("completed"));
    }

    @Test
    void aResultOfAnUnknownSchemaVersionGoesToTheDeadLetterTopic() {
        ClaimedInstance claimed = claimOne(251);
        FetchResult future = new FetchResult(99, claimed.instanceId(), claimed.claimToken(),
                org.fhirsnapshot.contracts.events.FetchOutcome.completed, "sha256:v99", null, null, null, false,
                List.of(), null, null);

        try (TestKafka.Reader dlq = TestKafka.read(Topics.FETCH_RESULT + Topics.DEAD_LETTER_SUFFIX)) {
            sendResult(future);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(dlq.poll())
                    .anySatisfy(record -> {
                        assertThat(record.value()).contains("sha256:v99");
                        assertThat(new String(record.headers().lastHeader("dead-letter-reason").value(),
                                StandardCharsets.UTF_8)).contains("schemaVersion");
                    }));
        }
        assertThat(row(claimed.instanceId()).get("status")).isEqualTo("fetching");
    }
}
