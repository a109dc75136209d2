package org.fhirsnapshot.config.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fhirsnapshot.config.config.OutboxConfig;
import org.fhirsnapshot.config.persistence.OutboxMessage;
import org.fhirsnapshot.config.persistence.OutboxRepository;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MappingChanged;
import org.jboss.logging.Logger;

/**
 * Publishes the transactional outbox. A request that changes a mapping never sends to Kafka itself: it writes an
 * outbox row in its own transaction (no dual write). This relay publishes the oldest rows in order to
 * {@value Topics#MAPPING_CHANGED}, keyed by project key, waits for Kafka's acknowledgement, and only then deletes them.
 * A crash in between publishes a message twice (at-least-once); sync-service handles a repeated {@code MappingChanged}
 * idempotently.
 * <p>
 * The relay runs when a change commits ({@link #wakeUp()}, for low latency) and on a schedule
 * ({@code fhir-snapshot.outbox.relay-interval}, the guarantee: rows left by a failure or a crash go out on the next
 * tick). Quarkus' scheduler ticks at most once a second, hence the wake-up. One run at a time per process, so a
 * process publishes a project's changes in order.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxRepository outbox;
    private final MutinyEmitter<MappingChanged> mappingChanged;
    private final ObjectMapper json;
    private final OutboxConfig config;
    private final Counter published;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean wokenWhileRunning = new AtomicBoolean();

    public OutboxRelay(OutboxRepository outbox,
            @Channel(Topics.MAPPING_CHANGED) MutinyEmitter<MappingChanged> mappingChanged, ObjectMapper json,
            OutboxConfig config, MeterRegistry registry) {
        this.outbox = outbox;
        this.mappingChanged = mappingChanged;
        this.json = json;
        this.config = config;
        this.published = Counter.builder("fhir.snapshot.outbox.messages.published")
                .description("Outbox messages published to Kafka").register(registry);
    }

    /** Relays now, without waiting for the next tick; called after a change committed. Never fails. */
    public void wakeUp() {
        relayExclusively().subscribe().with(done -> {
        }, failure -> LOG.warnf("Outbox relay failed (%s); the next tick retries", failure.toString()));
    }

    // The interval's default repeats OutboxConfig#relayInterval.
    @Scheduled(identity = "outbox-relay", every = "${fhir-snapshot.outbox.relay-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            // Not before the application started: the emitter channels are wired during startup.
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> relayOnSchedule() {
        return relayExclusively();
    }

    private Uni<Void> relayExclusively() {
        if (!running.compareAndSet(false, true)) {
            wokenWhileRunning.set(true);
            return Uni.createFrom().voidItem();
        }
        return drain().eventually(() -> running.set(false));
    }

    /** Relays batch after batch while rows keep coming (a full batch, or a wake-up during the run). */
    private Uni<Void> drain() {
        wokenWhileRunning.set(false);
        int batchSize = config.batchSize();
        return outbox.relay(batchSize, this::publish).flatMap(count -> {
            published.increment(count);
            return count == batchSize || wokenWhileRunning.get() ? drain() : Uni.createFrom().voidItem();
        });
    }

    private Uni<Void> publish(OutboxMessage message) {
        if (!Topics.MAPPING_CHANGED.equals(message.topic())) {
            return Uni.createFrom().failure(new IllegalStateException("No channel for topic " + message.topic()));
        }
        MappingChanged event;
        try {
            event = json.readValue(message.payload(), MappingChanged.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return mappingChanged.sendMessage(Message.of(event)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(message.key()).build()));
    }
}
