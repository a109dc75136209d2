package org.fhirsnapshot.fetch.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;

/** Publishes {@code fetch-result}, keyed by the instance id. */
@ApplicationScoped
public class FetchResultPublisher {

    private final MutinyEmitter<FetchResult> emitter;

    public FetchResultPublisher(@Channel(Topics.FETCH_RESULT) MutinyEmitter<FetchResult> emitter) {
        this.emitter = emitter;
    }

    /** Completes once Kafka has acknowledged the record. */
    public Uni<Void> publish(FetchResult result) {
        return emitter.sendMessage(Message.of(result).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(Long.toString(result.instanceId())).build()));
    }
}
