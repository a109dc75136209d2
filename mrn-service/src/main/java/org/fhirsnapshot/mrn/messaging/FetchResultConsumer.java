package org.fhirsnapshot.mrn.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.mrn.InstanceStatus;
import org.fhirsnapshot.mrn.InstanceStatusEvents;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.jboss.logging.Logger;

/**
 * Applies {@code fetch-result} messages (flow 3). Idempotent: a result applies only while its instance is
 * fetching under the same claim token, in one conditional UPDATE, so a redelivered, duplicate or stale result
 * changes nothing. A failure of a transient error class before the last attempt sends the instance back to pending
 * with a backoff ({@code not_before}) instead of failing it (see {@link InstanceRepository#applyResult}). A message that is not a valid FetchResult fails and goes to {@code fetch-result-dlq}
 * (failure-strategy dead-letter-queue; unreadable JSON too, see application.properties) without blocking the
 * ones after it. If applying fails for another reason the message also goes to the dead-letter topic, and the
 * instance's lease expires and it is fetched again: the lease is the guarantee that nothing stays fetching.
 */
@ApplicationScoped
public class FetchResultConsumer {

    private static final Logger LOG = Logger.getLogger(FetchResultConsumer.class);

    private final InstanceRepository instances;
    private final InstanceStatusEvents statusEvents;
    private final Counter applied;
    private final Counter ignored;
    private final Counter retried;

    public FetchResultConsumer(InstanceRepository instances, InstanceStatusEvents statusEvents,
            MeterRegistry registry) {
        this.instances = instances;
        this.statusEvents = statusEvents;
        this.applied = Counter.builder("fhir.snapshot.fetch.results.consumed").tag("result", "applied")
                .description("fetch-result messages applied").register(registry);
        this.ignored = Counter.builder("fhir.snapshot.fetch.results.consumed").tag("result", "ignored")
                .description("fetch-result messages ignored (stale or duplicate)").register(registry);
        this.retried = Counter.builder("fhir.snapshot.retries.scheduled")
                .description("transient failures sent back to pending with a backoff (automatic retry)")
                .register(registry);
    }

    @Incoming(Topics.FETCH_RESULT)
    public Uni<Void> consume(FetchResult result) {
        String invalid = invalidBecause(result);
        if (invalid != null) {
            return Uni.createFrom().failure(new IllegalArgumentException("Not a valid FetchResult: " + invalid));
        }
        if (ApplicationLifecycleManager.isVmShuttingDown()) {
            // SIGTERM (issue 8): not applied, not acknowledged, never dead-lettered: delivered again after the restart.
            return Uni.createFrom().nothing();
        }
        return instances.applyResult(result).invoke(change -> {
            if (change.isPresent()) {
                applied.increment();
                if (change.get().status() == InstanceStatus.pending) {
                    retried.increment();
                }
                statusEvents.publish(change.get());
            } else {
                ignored.increment();
                LOG.debugf("Ignored a stale or duplicate result for instance %d", result.instanceId());
            }
        }).replaceWithVoid()
                // A failure while the service stops (its pool closing) is not the message's fault: left unacknowledged
                // instead of going to the dead-letter topic, so the next replica (or this one restarted) applies it.
                .onFailure(failure -> ApplicationLifecycleManager.isVmShuttingDown())
                .recoverWithUni(failure -> Uni.createFrom().nothing());
    }

    private static String invalidBecause(FetchResult result) {
        if (result == null) {
            return "no value";
        }
        if (result.schemaVersion() != FetchResult.SCHEMA_VERSION) {
            return "unsupported schemaVersion " + result.schemaVersion();
        }
        if (result.outcome() == null) {
            return "no outcome";
        }
        if (result.claimToken() == null || result.claimToken().isBlank()) {
            return "no claimToken";
        }
        return null;
    }
}
