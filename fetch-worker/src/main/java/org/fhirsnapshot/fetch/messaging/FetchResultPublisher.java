package org.fhirsnapshot.fetch.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.fetch.observability.FetchTraces;

/** Publishes {@code fetch-result}, keyed by the instance id. */
@ApplicationScoped
public class FetchResultPublisher {

    private final MutinyEmitter<FetchResult> emitter;
    private final FetchTraces traces;

    public FetchResultPublisher(@Channel(Topics.FETCH_RESULT) MutinyEmitter<FetchResult> emitter,
            FetchTraces traces) {
        this.emitter = emitter;
        this.traces = traces;
    }

    /** Remembers the trace of the record that asked for an instance (its consume span), if tracing gave it one. */
    public void continueTrace(long instanceId, Message<?> record) {
        TracingMetadata.fromMessage(record).map(TracingMetadata::getCurrentContext)
                .ifPresent(context -> traces.remember(instanceId, context));
    }

    /** Forgets the traces of a batch's instances once the batch is done. */
    public void forgetTraces(List<Long> instanceIds) {
        traces.forget(instanceIds);
    }

    /**
     * Completes once Kafka has acknowledged the record. The record continues the trace of the instance's fetch
     * ({@link FetchTraces}): the connector puts it in the record's headers for mrn-service.
     */
    public Uni<Void> publish(FetchResult result) {
        Message<FetchResult> message = Message.of(result).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(Long.toString(result.instanceId())).build());
        return emitter.sendMessage(traces.of(result.instanceId())
                .map(context -> message.addMetadata(TracingMetadata.withCurrent(context)))
                .orElse(message));
    }
}
