package org.fhirsnapshot.mrn;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.SerializedProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The instance status changes this replica applies, for live screens ({@code GET /api/projects/{key}/events}).
 * Per-instance transitions are streamed (claims, results, expired leases, removed MRNs); bulk ones (reconcile,
 * retry-failed) are not, since they may touch a million rows at once: a screen reads the summary for those.
 * A change is published after its transaction committed. Each listener buffers what it cannot take yet (see the
 * events endpoint); the broadcast itself never waits for a listener.
 */
@ApplicationScoped
public class InstanceStatusEvents {

    private final BroadcastProcessor<InstanceStatusChange> broadcast = BroadcastProcessor.create();
    /** Changes come from several threads; a BroadcastProcessor must be fed serially. */
    private final SerializedProcessor<InstanceStatusChange, InstanceStatusChange> processor = broadcast.serialized();

    public void publish(InstanceStatusChange change) {
        processor.onNext(change);
    }

    public void publishAll(List<InstanceStatusChange> changes) {
        changes.forEach(this::publish);
    }

    /** The changes of one project from now on. */
    public Multi<InstanceStatusChange> of(String projectKey) {
        return broadcast.filter(change -> change.projectKey().equals(projectKey));
    }
}
