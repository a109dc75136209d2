package org.fhirsnapshot.mrn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.sendResult;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** The test configuration sets retry.initial-backoff 2 s and retry.max-backoff 10 s; max-attempts is 5. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class AutomaticRetryTest {

    @Inject
    MeterRegistry registry;

    private double retriesScheduled() {
        // Registered when the consumer bean is created (its first message), so possibly not yet.
        Counter counter = registry.find("fhir.snapshot.retries.scheduled").counter();
        return counter == null ? 0 : counter.count();
    }

    /** One instance per MRN of a new project, claimed after its attempt counter was set to {@code attemptsBefore}. */
    private static List<ClaimedInstance> claimedAfter(int mrns, long mappingId, int attemptsBefore) {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, mrns);
        reconcile(project, List.of(vitalSigns(mappingId, 1)));
        TestDatabase.update("update instance set attempt = ? where project_key = ?", attemptsBefore, project);
        List<ClaimedInstance> claimed = claim(Fixtures.instanceIds(project), 300);
        assertThat(claimed).hasSize(mrns).allSatisfy(c -> assertThat(c.attempt()).isEqualTo(attemptsBefore + 1));
        return claimed;
    }

    private static Map<String, Object> row(long id) {
        return TestDatabase.query("""
                select status, error_class, error_message, claim_token, published_at, not_before,
                       extract(epoch from not_before - updated_at)::float8 as backoff_seconds, attempt
                from instance where id = ?
                """, id).get(0);
    }

    private static void failAndAwait(ClaimedInstance claimed, String errorClass, String expectedStatus) {
        sendResult(FetchResult.failed(claimed.instanceId(), claimed.claimToken(), errorClass, "HTTP said no", false,
                List.of(), null));
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(row(claimed.instanceId()).get("status")).isEqualTo(expectedStatus));
    }

    @Test
    void aTransientFailureGoesBackToPendingAndIsPublishedAndClaimedOnlyAfterItsBackoff() {
        ClaimedInstance claimed = claimedAfter(1, 901, 0).get(0);
        long id = claimed.instanceId();
        double retriesBefore = retriesScheduled();

        failAndAwait(claimed, "server_error", "pending");

        Map<String, Object> retried = row(id);
        assertThat(retriesScheduled()).isEqualTo(retriesBefore + 1);
        assertThat(retried.get("error_class")).as("the last error stays visible").isEqualTo("server_error");
        assertThat(retried.get("error_message")).isEqualTo("HTTP said no");
        assertThat(retried.get("claim_token")).isNull();
        assertThat((Double) retried.get("backoff_seconds")).as("2 s x 2^0, +/-20%").isBetween(1.6, 2.4);
        assertThat(claim(List.of(id), 60)).as("not claimable before not_before").isEmpty();
        assertThat(row(id).get("published_at")).as("not published before not_before").isNull();

        await().atMost(Duration.ofSeconds(15)).until(() -> row(id).get("published_at") != null);
        assertThat(TestDatabase.count(
                "select count(*) from instance where id = ? and published_at >= not_before", id)).isEqualTo(1);
        assertThat(claim(List.of(id), 60)).singleElement()
                .satisfies(again -> assertThat(again.attempt()).isEqualTo(2));
    }

    @Test
    void theBackoffDoublesWithEachAttemptUpToTheMaximum() {
        ClaimedInstance third = claimedAfter(1, 911, 2).get(0);
        ClaimedInstance fourth = claimedAfter(1, 912, 3).get(0);

        failAndAwait(third, "timeout", "pending");
        failAndAwait(fourth, "rate_limited", "pending");

        assertThat((Double) row(third.instanceId()).get("backoff_seconds")).as("2 s x 2^2, +/-20%")
                .isBetween(6.4, 9.6);
        assertThat((Double) row(fourth.instanceId()).get("backoff_seconds")).as("2 s x 2^3 capped at 10 s, +/-20%")
                .isBetween(8.0, 12.0);
    }

    @Test
    void aTransientFailureOnTheLastAttemptFails() {
        ClaimedInstance last = claimedAfter(1, 921, 4).get(0);

        failAndAwait(last, "network", "failed");

        Map<String, Object> row = row(last.instanceId());
        assertThat(row.get("error_class")).isEqualTo("network");
        assertThat(row.get("not_before")).isNull();
        assertThat(row.get("attempt")).isEqualTo(5);
    }

    @Test
    void permanentFailuresFailAtOnce() {
        List<ClaimedInstance> claimed = claimedAfter(3, 931, 0);

        failAndAwait(claimed.get(0), "not_found", "failed");
        failAndAwait(claimed.get(1), "invalid_spec", "failed");
        failAndAwait(claimed.get(2), "forbidden", "failed");

        assertThat(claimed).allSatisfy(c -> assertThat(row(c.instanceId()).get("not_before")).isNull());
    }

    @Test
    void aSpentDailyLimitWaitsForTheNextMidnightWhateverTheAttempt() {
        ClaimedInstance last = claimedAfter(1, 941, 4).get(0);

        failAndAwait(last, "daily_limit", "pending");

        Map<String, Object> row = row(last.instanceId());
        assertThat(row.get("error_class")).as("the reason stays visible").isEqualTo("daily_limit");
        assertThat(row.get("claim_token")).isNull();
        assertThat(TestDatabase.count(
                """
                        select count(*) from instance
                        where id = ?
                          and not_before >= (date_trunc('day', now() at time zone 'UTC') + interval '1 day') at time zone 'UTC'
                          and not_before < (date_trunc('day', now() at time zone 'UTC') + interval '1 day 15 minutes') at time zone 'UTC'
                        """,
                last.instanceId())).as("not before the next UTC midnight, within the 15 min spread").isEqualTo(1);
        assertThat(claim(List.of(last.instanceId()), 60)).as("not claimable today").isEmpty();
    }
}
