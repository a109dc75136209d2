package org.fhirsnapshot.mrn.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.PendingResource;
import org.fhirsnapshot.mrn.InstanceTrace;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository.Publication;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.jboss.logging.Logger;

/**
 * Windowed publishing of {@code pending-resource} (architecture flow 4): the outbox of pending instances. Each run
 * publishes per project at most {@code window-per-project} instances in flight, projects taking turns, so that a
 * small project never waits behind a large one and the topic never holds a flood of stale messages. An instance
 * waiting for an automatic retry is never published before its {@code not_before}.
 * <p>
 * No dual write: an instance is first marked published ({@code published_at = now()}) and committed, then its
 * message is sent. If the send fails, or the process dies in between, nothing is lost: the instance is still
 * pending, and once {@code republish-after} has passed this publisher picks it and publishes it again by itself,
 * whether or not the sweep ({@link org.fhirsnapshot.mrn.SweepService}, {@code POST /internal/sweep}) ran. That delay
 * is the guarantee, kept here on purpose so that it does not depend on sync-service; the worker's claim makes a
 * duplicate message harmless.
 * <p>
 * Expired leases are not handled here any more: the sweep owns them (sync-service calls it about every 30 s), and
 * reconcile expires those of the project it reconciles.
 */
@ApplicationScoped
public class PendingResourcePublisher {

    private static final Logger LOG = Logger.getLogger(PendingResourcePublisher.class);

    private final InstanceRepository instances;
    private final MutinyEmitter<Record<String, PendingResource>> emitter;
    private final MrnServiceConfig.Publisher settings;
    private final Counter published;
    private final Counter sendFailures;

    public PendingResourcePublisher(InstanceRepository instances,
            @Channel(Topics.PENDING_RESOURCE) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<Record<String, PendingResource>> emitter,
            MrnServiceConfig config, MeterRegistry registry) {
        this.instances = instances;
        this.emitter = emitter;
        this.settings = config.publisher();
        this.published = Counter.builder("fhir.snapshot.pending.resource.published")
                .description("pending-resource messages sent").register(registry);
        this.sendFailures = Counter.builder("fhir.snapshot.pending.resource.send.failures")
                .description("pending-resource messages that failed to send (republished after the delay)")
                .register(registry);
    }

    @Scheduled(identity = "pending-resource-publisher", every = "${fhir-snapshot.publisher.interval:250ms}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            // Not before the application started: the emitter channels are wired during startup.
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> run() {
        if (ApplicationLifecycleManager.isVmShuttingDown()) {
            // SIGTERM (issue 8): mark nothing published that this replica might no longer send (it would wait for
            // republish-after); the replicas that remain, or this one restarted, publish it.
            return Uni.createFrom().voidItem();
        }
        return instances
                .markNextPublished(settings.windowPerProject(), settings.republishAfter(),
                        Math.min(settings.maxPerRun(), 8192))
                .chain(this::send)
                .onFailure().invoke(failure -> LOG.warnf("Publishing pending resources failed: %s", failure))
                .onFailure().recoverWithNull();
    }

    /**
     * Sends after the commit, in turn order; a failed send is logged and left to the republish delay. Tracing: the
     * scheduler runs outside any request, so each message is published as a child of the reconcile that created its
     * instance (the traceparent kept on the row); the Kafka connector then puts that trace in the record's headers.
     */
    private Uni<Void> send(List<Publication> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        AtomicInteger failed = new AtomicInteger();
        return Multi.createFrom().iterable(messages)
                .onItem().transformToUniAndMerge(publication -> emitter
                        .sendMessage(message(publication))
                        .onFailure().invoke(e -> failed.incrementAndGet())
                        .onFailure().recoverWithNull())
                .collect().last()
                .invoke(() -> {
                    published.increment(messages.size() - failed.get());
                    if (failed.get() > 0) {
                        sendFailures.increment(failed.get());
                        LOG.warnf("%d of %d pending-resource messages failed to send; they are republished after %s",
                                failed.get(), messages.size(), settings.republishAfter());
                    }
                }).replaceWithVoid();
    }

    private static Message<Record<String, PendingResource>> message(Publication publication) {
        PendingResource resource = publication.message();
        Message<Record<String, PendingResource>> message = Message.of(
                Record.of(Long.toString(resource.instanceId()), resource));
        return InstanceTrace.parent(publication.traceparent())
                .map(parent -> message.addMetadata(TracingMetadata.withCurrent(parent)))
                .orElse(message);
    }
}
