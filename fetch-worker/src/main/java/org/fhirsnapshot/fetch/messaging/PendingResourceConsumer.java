package org.fhirsnapshot.fetch.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.fetch.BatchFetcher;
import org.jboss.logging.Logger;

/**
 * Consumes {@code pending-resource} in batches (consumer group {@code fetch-worker}, shared by every replica). A
 * malformed message is nacked on its own and lands on {@code pending-resource-dlq} as it was; the others are
 * claimed and fetched by {@link BatchFetcher}, and the batch is acknowledged only after every result is published.
 * Redelivery is harmless: a redelivered message re-claims only instances that are still pending.
 */
@ApplicationScoped
public class PendingResourceConsumer {

    private static final Logger LOG = Logger.getLogger(PendingResourceConsumer.class);

    private final BatchFetcher fetcher;
    private final FetchResultPublisher publisher;
    private final PendingResourceReader reader;

    public PendingResourceConsumer(BatchFetcher fetcher, FetchResultPublisher publisher, ObjectMapper json) {
        this.fetcher = fetcher;
        this.publisher = publisher;
        this.reader = new PendingResourceReader(json);
    }

    @Incoming(Topics.PENDING_RESOURCE)
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<Long> instanceIds = new ArrayList<>();
        List<Uni<Void>> deadLetters = new ArrayList<>();
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            try {
                instanceIds.add(reader.read(record.getPayload()).instanceId());
            } catch (MalformedMessageException e) {
                LOG.warnf("malformed %s message (partition/offset %s): %s; sent to the dead-letter topic",
                        Topics.PENDING_RESOURCE, record.getMetadata(IncomingKafkaRecordMetadata.class)
                                .map(metadata -> metadata.getPartition() + "/" + metadata.getOffset()).orElse("?"),
                        e.getMessage());
                deadLetters.add(Uni.createFrom().completionStage(() -> record.nack(e)));
            }
        }
        Uni<Void> rejected = deadLetters.isEmpty()
                ? Uni.createFrom().voidItem()
                : Uni.join().all(deadLetters).andCollectFailures().replaceWithVoid();
        return rejected
                .chain(() -> fetcher.fetch(instanceIds, publisher::publish))
                .invoke(fetched -> LOG.debugf("batch of %d messages: %d instances fetched", batch.getRecords().size(),
                        fetched))
                .chain(() -> Uni.createFrom().completionStage(batch::ack))
                .onFailure().recoverWithUni(failure -> {
                    // Only a contract mismatch or a bug ends here (unavailable services are waited for).
                    LOG.errorf("a batch of %d %s messages could not be handled (%s: %s); sent to the dead-letter "
                            + "topic", batch.getRecords().size(), Topics.PENDING_RESOURCE,
                            failure.getClass().getSimpleName(), failure.getMessage());
                    return Uni.createFrom().completionStage(() -> batch.nack(failure));
                });
    }
}
