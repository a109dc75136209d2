package org.fhirsnapshot.fetch.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.fhirsnapshot.contracts.events.FetchResult;

/**
 * The trace of each instance a batch is fetching (issue #8). {@code pending-resource} is consumed in batches, and a
 * batch holds the records of many traces, so no single context can be "current" for the whole batch: the consumer
 * remembers each record's context by instance id, {@link org.fhirsnapshot.fetch.InstanceFetcher} starts the span
 * {@code InstanceFetcher.fetch} under it, and the {@code fetch-result} of the instance is published as a child of that
 * span, so that mrn-service continues the same trace. Span attributes: ids and classes only (instance id, FHIR system
 * id, outcome, error class), never an MRN, a patient id or a URL.
 */
@ApplicationScoped
public class FetchTraces {

    private final Tracer tracer;
    private final Map<Long, Context> contexts = new ConcurrentHashMap<>();

    public FetchTraces(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Remembers the context of the record that asked for this instance. */
    public void remember(long instanceId, Context context) {
        contexts.put(instanceId, context);
    }

    /** The context to publish the instance's result under, if its record had one. */
    public Optional<Context> of(long instanceId) {
        return Optional.ofNullable(contexts.get(instanceId));
    }

    /** Forgets the instances of a batch once it is done. */
    public void forget(Collection<Long> instanceIds) {
        instanceIds.forEach(contexts::remove);
    }

    /** Starts the fetch span of an instance under its record's context (else the current one). */
    public Span startFetch(long instanceId, long fhirSystemId) {
        Context parent = of(instanceId).orElse(Context.current());
        Span span = tracer.spanBuilder("InstanceFetcher.fetch").setParent(parent)
                .setAttribute("fhir_snapshot.instance_id", instanceId)
                .setAttribute("fhir_snapshot.fhir_system_id", fhirSystemId).startSpan();
        contexts.put(instanceId, parent.with(span));
        return span;
    }

    /** Ends a fetch span with what the result says (no error message: it could quote the EHR). */
    public static void endFetch(Span span, FetchResult result) {
        span.setAttribute("fhir_snapshot.outcome", result.outcome().name());
        if (result.errorClass() != null) {
            span.setAttribute("fhir_snapshot.error_class", result.errorClass());
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
