package org.fhirsnapshot.sync.messaging;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MrnChanged;
import org.fhirsnapshot.sync.TaskService;
import org.fhirsnapshot.sync.TaskTrigger;

/**
 * {@code mrn-changed} from mrn-service: opens or joins the project's pending {@code sync} task. Idempotent: the
 * message's identity (project, time, and a digest of the MRN ids) is recorded in the same transaction. The log line
 * counts MRNs, it never names them. A message that cannot be handled goes to {@code mrn-changed-dlq}.
 */
@ApplicationScoped
public class MrnChangedConsumer {

    private final TaskService tasks;

    public MrnChangedConsumer(TaskService tasks) {
        this.tasks = tasks;
    }

    @Incoming(Topics.MRN_CHANGED)
    public Uni<Void> consume(MrnChanged event) {
        if (event == null || event.projectKey() == null) {
            return Uni.createFrom().failure(new UnusableMessageException(Topics.MRN_CHANGED));
        }
        List<Long> added = event.added() == null ? List.of() : event.added();
        List<Long> removed = event.removed() == null ? List.of() : event.removed();
        String messageId = Topics.MRN_CHANGED + ":" + event.projectKey() + ":" + event.occurredAt() + ":"
                + digest(added + "/" + removed);
        String what = added.size() + " MRN(s) added, " + removed.size() + " removed";
        return tasks.syncAfterChange(event.projectKey(), TaskTrigger.MRN_CHANGED, what, messageId).replaceWithVoid()
                // SIGTERM (issue 8): a failure while the service stops (its pool closing) is not the message's
                // fault: left unacknowledged instead of dead-lettered, so it is consumed again after the restart.
                .onFailure(failure -> ApplicationLifecycleManager.isVmShuttingDown())
                .recoverWithUni(failure -> Uni.createFrom().nothing());
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
