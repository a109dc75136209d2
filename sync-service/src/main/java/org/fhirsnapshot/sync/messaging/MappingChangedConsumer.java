package org.fhirsnapshot.sync.messaging;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MappingChanged;
import org.fhirsnapshot.sync.TaskService;
import org.fhirsnapshot.sync.TaskTrigger;
import org.jboss.logging.Logger;

/**
 * {@code mapping-changed} from config-service: opens or joins the project's pending {@code sync} task. Idempotent:
 * the message's identity (project, mapping, change, revision) is recorded in the same transaction, so a redelivered
 * or republished message changes nothing. A message that cannot be handled goes to {@code mapping-changed-dlq}.
 */
@ApplicationScoped
public class MappingChangedConsumer {

    private static final Logger LOG = Logger.getLogger(MappingChangedConsumer.class);

    private final TaskService tasks;

    public MappingChangedConsumer(TaskService tasks) {
        this.tasks = tasks;
    }

    @Incoming(Topics.MAPPING_CHANGED)
    public Uni<Void> consume(MappingChanged event) {
        if (event == null || event.projectKey() == null || event.change() == null) {
            return Uni.createFrom().failure(new UnusableMessageException(Topics.MAPPING_CHANGED));
        }
        String messageId = Topics.MAPPING_CHANGED + ":" + event.projectKey() + ":" + event.mappingId() + ":"
                + event.change() + ":" + event.revision();
        String what = "mapping " + event.mappingId() + " " + event.change() + " (revision " + event.revision() + ")";
        return tasks.syncAfterChange(event.projectKey(), TaskTrigger.MAPPING_CHANGED, what, messageId)
                .invoke(opened -> opened.ifPresentOrElse(
                        task -> LOG.debugf("%s %s task %d: %s", event.projectKey(), task.joined() ? "joined" : "opened",
                                task.id(), what),
                        () -> LOG.debugf("Already applied: %s", messageId)))
                .replaceWithVoid()
                // SIGTERM (issue 8): a failure while the service stops (its pool closing) is not the message's
                // fault: left unacknowledged instead of dead-lettered, so it is consumed again after the restart.
                .onFailure(failure -> ApplicationLifecycleManager.isVmShuttingDown())
                .recoverWithUni(failure -> Uni.createFrom().nothing());
    }
}
