package org.fhirsnapshot.mrn;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.fhirsnapshot.mrn.observability.InstanceStatusMetrics;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.junit.jupiter.api.Test;

/** Metrics at /q/metrics (names, units, labels, no PHI) and the traceparent kept for the windowed publisher. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class ObservabilityTest {

    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    @Inject
    InstanceStatusMetrics instanceStatusMetrics;

    private record Series(String name, Map<String, String> labels, double value) {
    }

    private static List<Series> scrape() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).map(line -> {
            // An OpenMetrics exemplar (" # {trace_id=...} 1.0") follows the value once traces are sampled.
            Matcher series = SERIES.matcher(line.contains(" # {") ? line.substring(0, line.indexOf(" # {")) : line);
            assertThat(series.matches()).as("a Prometheus sample line: %s", line).isTrue();
            Map<String, String> labels = series.group(2) == null
                    ? Map.of()
                    : LABEL.matcher(series.group(2)).results()
                            .collect(Collectors.toMap(m -> m.group(1), m -> m.group(2)));
            return new Series(series.group(1), labels, Double.parseDouble(series.group(3)));
        }).toList();
    }

    private static double instances(List<Series> scrape, InstanceStatus status) {
        return scrape.stream().filter(s -> s.name().equals("fhir_snapshot_instances")
                && status.name().equals(s.labels().get("status"))).mapToDouble(Series::value).sum();
    }

    @Test
    void instancesByStatusAreCountedAcrossProjectsWithOnlyAStatusLabel() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 7);
        reconcile(project, List.of(vitalSigns(1, 1)));
        // The publisher may publish them meanwhile: that does not change their status (no worker runs here).
        instanceStatusMetrics.refresh().await().atMost(Duration.ofSeconds(10));

        List<Series> scrape = scrape();
        List<Series> gauges = scrape.stream().filter(s -> s.name().equals("fhir_snapshot_instances")).toList();
        assertThat(gauges).extracting(s -> s.labels().keySet()).as("label set").containsOnly(Set.of("status"));
        assertThat(gauges).extracting(s -> s.labels().get("status"))
                .containsExactlyInAnyOrder("pending", "fetching", "completed", "failed", "outdated", "deleted");
        long pendingNow = TestDatabase.count("select count(*) from instance where status = 'pending'");
        assertThat(instances(scrape, InstanceStatus.pending)).as("pending instances of every project")
                .isEqualTo((double) pendingNow).isGreaterThanOrEqualTo(7);
    }

    @Test
    void metricNamesFollowTheSchemeAndNoLabelHoldsAnMrn() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 3);
        reconcile(project, List.of(vitalSigns(2, 1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().stream()
                .anyMatch(s -> s.name().equals("fhir_snapshot_pending_resource_published_total") && s.value() > 0));

        List<Series> scrape = scrape();
        Set<String> names = scrape.stream().map(Series::name).collect(Collectors.toSet());
        assertThat(names).contains("fhir_snapshot_reconcile_duration_seconds_count",
                "fhir_snapshot_reconcile_duration_seconds_sum", "fhir_snapshot_pending_resource_published_total",
                "fhir_snapshot_instances", "http_server_requests_seconds_count", "jvm_memory_used_bytes");
        // Our own meters: the fhir_snapshot_ prefix, a unit suffix for timers and counters.
        assertThat(names.stream().filter(n -> n.startsWith("fhir_snapshot_")))
                .allMatch(n -> n.equals("fhir_snapshot_instances") || n.endsWith("_total")
                        || n.matches(".*_seconds(_count|_sum|_max|_bucket)?"), "a unit suffix");
        assertThat(names).noneMatch(n -> n.startsWith("fhir_snapshot_fetch_results_retries"));
        // No MRN (the seeded ones are MRN-000001...) and no project key in any label of any metric.
        assertThat(scrape).flatExtracting(s -> List.copyOf(s.labels().values()))
                .noneMatch(value -> value.matches(".*MRN-[0-9]{6}.*"))
                .doesNotContain(project);
    }

    @Test
    void reconcileKeepsItsTraceparentOnTheInstancesItCreates() {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 2);
        reconcile(project, List.of(vitalSigns(3, 1)));
        List<Map<String, Object>> rows = TestDatabase.query(
                "select traceparent from instance where project_key = ?", project);
        assertThat(rows).hasSize(2).allSatisfy(row -> assertThat((String) row.get("traceparent"))
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"));
        assertThat(rows.get(0).get("traceparent")).as("one reconcile, one trace")
                .isEqualTo(rows.get(1).get("traceparent"));

        String other = Fixtures.newProjectKey();
        TestDatabase.seedMrns(other, 1);
        reconcile(other, List.of(vitalSigns(3, 1)));
        String otherTrace = (String) TestDatabase.query("select traceparent from instance where project_key = ?", other)
                .get(0).get("traceparent");
        assertThat(otherTrace.substring(3, 35)).as("another reconcile, another trace id")
                .isNotEqualTo(((String) rows.get(0).get("traceparent")).substring(3, 35));
        // A write outside a reconcile (a pooled connection that ran one before) leaves no stale traceparent.
        TestDatabase.update("update instance set traceparent = default where project_key = ?", other);
        assertThat(TestDatabase.query("select traceparent from instance where project_key = ?", other).get(0)
                .get("traceparent")).isNull();
    }
}
