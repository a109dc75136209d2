package org.fhirsnapshot.fetch.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.fetch.BatchFetcher;
import org.fhirsnapshot.fetch.HeldClaims;
import org.jboss.logging.Logger;

/**
 * Consumes {@code pending-resource} in batches (consumer group {@code fetch-worker}, shared by every replica). A
 * malformed message is nacked on its own and lands on {@code pending-resource-dlq} as it was; the others are
 * claimed and fetched by {@link BatchFetcher}, and the batch is acknowledged only after every result is published.
 * Redelivery is harmless: a redelivered message re-claims only instances that are still pending. While the worker
 * stops ({@link org.fhirsnapshot.fetch.GracefulShutdown}) a batch it did not finish is neither acknowledged nor
 * sent to the dead-letter topic: its offsets are not committed and its messages go to the replicas that remain.
 */
@ApplicationScoped
public class PendingResourceConsumer {

    private static final Logger LOG = Logger.getLogger(PendingResourceConsumer.class);

    private final BatchFetcher fetcher;
    private final FetchResultPublisher publisher;
    private final PendingResourceReader reader;
    private final HeldClaims held;

    public PendingResourceConsumer(BatchFetcher fetcher, FetchResultPublisher publisher, ObjectMapper json,
            HeldClaims held) {
        this.fetcher = fetcher;
        this.held = held;
        this.publisher = publisher;
        this.reader = new PendingResourceReader(json);
    }

    @Incoming(Topics.PENDING_RESOURCE)
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<Long> instanceIds = new ArrayList<>();
        List<Uni<Void>> deadLetters = new ArrayList<>();
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            try {
                long instanceId = reader.read(record.getPayload()).instanceId();
                instanceIds.add(instanceId);
                publisher.continueTrace(instanceId, record);
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
                .invoke(outcome -> LOG.debugf("batch of %d messages: %d instances fetched",
                        batch.getRecords().size(), outcome.fetched()))
                .chain(outcome -> {
                    if (!outcome.complete()) {
                        // The worker is stopping and gave back (or never claimed) part of the batch: no offset is
                        // committed for it, so its messages are delivered again; claims given back are published
                        // again by mrn-service anyway, and a claim makes duplicates harmless.
                        LOG.debugf("batch of %d messages left unacknowledged: the worker is stopping",
                                batch.getRecords().size());
                        return Uni.createFrom().voidItem();
                    }
                    return Uni.createFrom().completionStage(batch::ack);
                })
                .onTermination().invoke(() -> publisher.forgetTraces(instanceIds))
                .onFailure().recoverWithUni(failure -> {
                    if (held.stopping() || ApplicationLifecycleManager.isVmShuttingDown()) {
                        // Closing channels and clients fail what is under way: not the batch's fault, no DLQ.
                        LOG.debugf("batch of %d messages left unacknowledged while stopping (%s)",
                                batch.getRecords().size(), failure.getClass().getSimpleName());
                        return Uni.createFrom().voidItem();
                    }
                    // Only a contract mismatch or a bug ends here (unavailable services are waited for).
                    LOG.errorf("a batch of %d %s messages could not be handled (%s: %s); sent to the dead-letter "
                            + "topic", batch.getRecords().size(), Topics.PENDING_RESOURCE,
                            failure.getClass().getSimpleName(), failure.getMessage());
                    return Uni.createFrom().completionStage(() -> batch.nack(failure));
                });
    }
}
