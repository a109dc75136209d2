package org.fhirsnapshot.mrn;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Optional;

/**
 * The W3C {@code traceparent} kept on an instance row (column {@code traceparent}): written from the reconcile that
 * creates the instance and read back by the windowed publisher, which runs later on a schedule with no request
 * around it. It holds a trace id, a span id and a flag, nothing about the patient.
 */
public final class InstanceTrace {

    private static final TextMapGetter<String> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private InstanceTrace() {
    }

    /** The current span as a {@code traceparent} value, or empty outside a valid span. */
    public static Optional<String> current() {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) {
            return Optional.empty();
        }
        return Optional.of("00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex());
    }

    /** The context whose parent span is the one a stored {@code traceparent} names, or empty when there is none. */
    public static Optional<Context> parent(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Optional.empty();
        }
        Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, GETTER);
        return Span.fromContext(context).getSpanContext().isValid() ? Optional.of(context) : Optional.empty();
    }
}
