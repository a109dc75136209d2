package org.fhirsnapshot.mrn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MrnChanged;
import org.fhirsnapshot.mrn.client.ConfigServiceClient;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.mrn.persistence.MrnRepository;
import org.fhirsnapshot.mrn.persistence.OutboxRepository;
import org.fhirsnapshot.mrn.persistence.ProjectRepository;
import org.fhirsnapshot.problem.ProblemException;

/**
 * Adds and removes a project's MRNs. Each change commits together with its {@code mrn-changed} outbox rows (ids
 * only, never MRNs); {@link org.fhirsnapshot.mrn.messaging.OutboxRelay} publishes them, and sync-service reacts by
 * reconciling the project.
 */
@ApplicationScoped
public class MrnService {

    /** What an upload did. */
    public record AddResult(int added, int alreadyPresent, int duplicates, List<MrnUpload.Rejected> rejected) {
    }

    private final Pool pool;
    private final ProjectRepository projects;
    private final MrnRepository mrns;
    private final InstanceRepository instances;
    private final OutboxRepository outbox;
    private final ConfigServiceClient configService;
    private final InstanceStatusEvents statusEvents;
    private final ObjectMapper json;
    private final MrnServiceConfig.Mrns settings;

    public MrnService(Pool pool, ProjectRepository projects, MrnRepository mrns, InstanceRepository instances,
            OutboxRepository outbox, ConfigServiceClient configService, InstanceStatusEvents statusEvents,
            ObjectMapper json, MrnServiceConfig config) {
        this.pool = pool;
        this.projects = projects;
        this.mrns = mrns;
        this.instances = instances;
        this.outbox = outbox;
        this.configService = configService;
        this.statusEvents = statusEvents;
        this.json = json;
        this.settings = config.mrns();
    }

    /**
     * Adds the accepted MRNs of an upload to an existing project: new ones are inserted, removed ones re-activated.
     * An empty or oversized upload, and one without a single valid MRN, is refused before anything is stored.
     */
    public Uni<AddResult> add(String projectKey, MrnUpload upload) {
        if (upload.received() == 0) {
            return Uni.createFrom().failure(ProblemException.invalid("mrns",
                    "The list of MRNs is empty: send {\"mrns\": [...]} or text/plain with one MRN a line."));
        }
        if (upload.overLimit()) {
            return Uni.createFrom().failure(new TooManyMrnsException(upload.received(), upload.limit()));
        }
        if (upload.accepted().isEmpty()) {
            return Uni.createFrom().failure(new NoValidMrnException(upload));
        }
        return configService.projectMappings(projectKey).chain(project -> pool.withTransaction(connection -> projects
                .record(connection, projectKey, project.fhirSystemId())
                .chain(() -> mrns.addAll(connection, projectKey, upload.accepted()))
                .call(added -> outbox.add(connection, Topics.MRN_CHANGED, projectKey,
                        mrnChanged(projectKey, added, List.of()))))
                .map(added -> new AddResult(added.size(), upload.accepted().size() - added.size(),
                        upload.duplicates(), upload.rejected())));
    }

    /** Removes an active MRN: it becomes inactive and its active instances deleted, in one transaction. */
    public Uni<Void> remove(String projectKey, String mrn) {
        return pool.withTransaction(connection -> mrns.deactivate(connection, projectKey, mrn).chain(mrnId -> {
            if (mrnId.isEmpty()) {
                return Uni.createFrom().failure(new MrnNotFoundException(projectKey));
            }
            long id = mrnId.get();
            return instances.deleteOfMrn(connection, id).call(changes -> outbox.add(connection, Topics.MRN_CHANGED,
                    projectKey, mrnChanged(projectKey, List.of(), List.of(id))));
        })).invoke(statusEvents::publishAll).replaceWithVoid();
    }

    /** One or more {@link MrnChanged} payloads: a large upload is split so that no message grows too big. */
    private List<String> mrnChanged(String projectKey, List<Long> added, List<Long> removed) {
        List<String> payloads = new ArrayList<>();
        int chunk = settings.idsPerEvent();
        for (int from = 0; from < added.size(); from += chunk) {
            payloads.add(write(MrnChanged.of(projectKey, added.subList(from, Math.min(added.size(), from + chunk)),
                    List.of())));
        }
        if (!removed.isEmpty()) {
            payloads.add(write(MrnChanged.of(projectKey, List.of(), removed)));
        }
        return payloads;
    }

    private String write(MrnChanged event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write MrnChanged", e);
        }
    }
}
