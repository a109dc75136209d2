package org.fhirsnapshot.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** HTTP span attributes lose their queries and MRN path segments before any exporter sees them. */
class PhiSafeSpansTest {

    @Test
    void redactsQueriesAndMrnSegmentsOfPathsAndUrls() {
        assertThat(PhiSafeSpans.redact("/api/projects/demo/mrns?mrn=MRN0001&page=2"))
                .isEqualTo("/api/projects/demo/mrns");
        assertThat(PhiSafeSpans.redact("/api/projects/demo/mrns/MRN0001")).isEqualTo("/api/projects/demo/mrns/{mrn}");
        assertThat(PhiSafeSpans.redact("http://mrn-service:8082/api/projects/demo/mrns/MRN0001#x"))
                .isEqualTo("http://mrn-service:8082/api/projects/demo/mrns/{mrn}");
        assertThat(PhiSafeSpans.redact("/internal/instances/claim")).isEqualTo("/internal/instances/claim");
    }

    @Test
    void spansExportedThroughTheProcessorHoldNoMrn() {
        List<SpanData> exported = new CopyOnWriteArrayList<>();
        SpanExporter exporter = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                exported.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(new PhiSafeSpans())
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
            Span span = provider.get("test").spanBuilder("GET /api/projects/{key}/mrns")
                    .setAttribute("url.path", "/api/projects/demo/mrns/MRN0001")
                    .setAttribute("url.query", "mrn=MRN0001")
                    .setAttribute("url.full", "http://x/api/projects/demo/mrns?mrn=MRN0001").startSpan();
            span.end();
        }
        assertThat(exported).singleElement().satisfies(span -> {
            assertThat(span.getAttributes().asMap().values()).map(String::valueOf)
                    .noneMatch(value -> value.contains("MRN0001"));
            assertThat(span.getAttributes().get(AttributeKey.stringKey("url.query"))).isEqualTo("redacted");
        });
    }
}
