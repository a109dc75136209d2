package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fhirsnapshot.e2e.ObservabilityChecks.Selector;
import org.junit.jupiter.api.Test;

/** The checks of {@link ObservabilityChecks} fail when they should (no stack needed). */
class ObservabilityChecksTest {

    @Test
    void selectorsAreTheMetricsOfAnExpressionNotItsFunctionsOrGroupingLabels() {
        List<Selector> selectors = ObservabilityChecks.selectors("histogram_quantile(0.95, sum by (le, fhir_system_id) "
                + "(rate(fhir_snapshot_fetch_duration_seconds_bucket{outcome=\"completed\"}[5m]))) > 2 and "
                + "absent(process_uptime_seconds{job=\"fetch-worker\"})");
        assertThat(selectors).extracting(Selector::metric)
                .containsExactly("fhir_snapshot_fetch_duration_seconds_bucket", "process_uptime_seconds");
        assertThat(selectors.get(0).labels()).containsExactly("outcome");
    }

    @Test
    void everyExpressionOfDeployObservabilityIsReadAndAMissingMetricFails() throws Exception {
        assertThat(ObservabilityChecks.expressions()).hasSizeGreaterThan(15)
                .anyMatch(e -> e.contains("fhir_snapshot_instances"))
                .anyMatch(e -> e.contains("fhir_snapshot_ehr_responses_total{status=~\"5xx|transport_error\"}"));
        String scrape = "fhir_snapshot_instances{status=\"pending\"} 3.0\n";
        assertThatThrownBy(() -> ObservabilityChecks.assertDashboardAndAlertsNameRealMetrics(List.of(scrape)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("fhir_snapshot_");
    }

    @Test
    void scrapesAreReadWithLabelValuesThatHoldBraces() {
        Map<String, Set<String>> metrics = ObservabilityChecks.metrics(List.of(
                "# TYPE x counter\nhttp_server_requests_seconds_count{status=\"500\",uri=\"/api/projects/{key}\"} 1.0\n"
                        + "fhir_snapshot_archive_sent_bytes_total 4.0 # {span_id=\"1\",trace_id=\"2\"} 4.0 1764.2\n"));
        assertThat(metrics).containsEntry("http_server_requests_seconds_count", Set.of("status", "uri"))
                .containsEntry("fhir_snapshot_archive_sent_bytes_total", Set.of());
    }

    @Test
    void phiIsFoundAsAWholeWordOnly() {
        assertThat(ObservabilityChecks.holdsAny("/api/projects/x/mrns/MRN000007", List.of("MRN000007"))).isTrue();
        assertThat(ObservabilityChecks.holdsAny("Patient/p007", List.of("p007"))).isTrue();
        assertThat(ObservabilityChecks.holdsAny("p0071", List.of("p007"))).isFalse();
        assertThatThrownBy(() -> ObservabilityChecks.assertNoLabelHolds(
                List.of("fhir_snapshot_x_total{mrn=\"MRN000007\"} 1.0"), List.of("MRN000007")))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void anOtlpExportIsDecoded() {
        // ExportTraceServiceRequest{resource_spans{resource{attributes{service.name=svc}} scope_spans{spans{
        // trace_id=0x01.., span_id=0x02.., name="n", attributes{k="v"}}}}}
        byte[] keyValue = message(1, bytes("service.name"), 2, message(1, bytes("svc")));
        byte[] resource = message(1, keyValue);
        byte[] traceId = new byte[16];
        traceId[15] = 1;
        byte[] spanId = new byte[8];
        spanId[7] = 2;
        byte[] span = message(1, traceId, 2, spanId, 5, bytes("n"), 9,
                message(1, bytes("k"), 2, message(1, bytes("v"))));
        byte[] scopeSpans = message(2, span);
        byte[] request = message(1, message(1, resource, 2, scopeSpans));
        List<OtlpReceiver.ExportedSpan> spans = OtlpReceiver.decodeRequest(request);
        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.service()).isEqualTo("svc");
            assertThat(s.traceId()).isEqualTo("00000000000000000000000000000001");
            assertThat(s.spanId()).isEqualTo("0000000000000002");
            assertThat(s.name()).isEqualTo("n");
            assertThat(s.attributes()).containsEntry("k", "v");
        });
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Length-delimited fields: number, bytes, number, bytes... */
    private static byte[] message(Object... fields) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            int number = (Integer) fields[i];
            byte[] content = (byte[]) fields[i + 1];
            out.write(number << 3 | 2);
            out.write(content.length);
            out.writeBytes(content);
        }
        return out.toByteArray();
    }
}
