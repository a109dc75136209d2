package org.fhirsnapshot.mrn.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MrnChanged;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.OutboxRepository.OutboxEvent;
import org.fhirsnapshot.mrn.persistence.OutboxRepository;
import org.jboss.logging.Logger;

/**
 * Publishes the transactional outbox ({@code mrn-changed}): rows are locked ({@code for update skip locked}, so
 * replicas share the work), sent in order, and deleted in the same transaction once Kafka acknowledged them. If a
 * send fails the transaction rolls back and the rows are sent again on the next run: at-least-once, and the
 * consumer (sync-service) is idempotent.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final Pool pool;
    private final OutboxRepository outbox;
    private final MutinyEmitter<Record<String, MrnChanged>> mrnChanged;
    private final ObjectMapper json;
    private final MrnServiceConfig.Outbox settings;

    public OutboxRelay(Pool pool, OutboxRepository outbox,
            @Channel(Topics.MRN_CHANGED) MutinyEmitter<Record<String, MrnChanged>> mrnChanged, ObjectMapper json,
            MrnServiceConfig config) {
        this.pool = pool;
        this.outbox = outbox;
        this.mrnChanged = mrnChanged;
        this.json = json;
        this.settings = config.outbox();
    }

    @Scheduled(identity = "outbox-relay", every = "${fhir-snapshot.outbox.interval:300ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            // Not before the application started: the emitter channels are wired during startup.
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> run() {
        return pool.withTransaction(connection -> outbox.lockOldest(connection, settings.batchSize())
                .call(events -> events.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : send(events).chain(() -> outbox.delete(connection,
                                events.stream().map(OutboxEvent::id).toList()))))
                .onFailure().invoke(failure -> LOG.warnf("Outbox relay failed, retrying on the next run: %s", failure))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> send(List<OutboxEvent> events) {
        return Multi.createFrom().iterable(events).onItem().transformToUniAndConcatenate(event -> {
            if (!Topics.MRN_CHANGED.equals(event.topic())) {
                return Uni.createFrom().failure(new IllegalStateException("no relay for topic " + event.topic()));
            }
            return mrnChanged.send(Record.of(event.key(), read(event.payload())));
        }).collect().last().replaceWithVoid();
    }

    private MrnChanged read(String payload) {
        try {
            return json.readValue(payload, MrnChanged.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable outbox payload", e);
        }
    }
}
