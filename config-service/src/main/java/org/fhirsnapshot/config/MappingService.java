package org.fhirsnapshot.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.fhirsnapshot.config.messaging.OutboxRelay;
import org.fhirsnapshot.config.persistence.MappingEntity;
import org.fhirsnapshot.config.persistence.MappingRepository;
import org.fhirsnapshot.config.persistence.OutboxRepository;
import org.fhirsnapshot.config.persistence.ProjectEntity;
import org.fhirsnapshot.config.persistence.SqlStates;
import org.fhirsnapshot.contracts.Topics;
import org.fhirsnapshot.contracts.events.MappingChanged;
import org.fhirsnapshot.problem.ProblemException;

/**
 * A project's mapping resources. Every change writes a {@code MappingChanged} to the outbox in the same transaction
 * (no dual write); {@link OutboxRelay} publishes it to {@value Topics#MAPPING_CHANGED}, woken right after the commit
 * (its schedule is the safety net).
 */
@ApplicationScoped
public class MappingService {

    /** A mapping change, as the caller gives it. */
    public record MappingDraft(String name, String type, String spec, Map<String, String> params) {
    }

    /** A project with its active mappings. */
    public record ProjectWithMappings(ProjectEntity project, List<MappingEntity> mappings) {
    }

    private final ProjectService projects;
    private final MappingRepository mappings;
    private final OutboxRepository outbox;
    private final MappingSpecParser parser;
    private final ObjectMapper json;
    private final OutboxRelay relay;

    public MappingService(ProjectService projects, MappingRepository mappings, OutboxRepository outbox,
            MappingSpecParser parser, ObjectMapper json, OutboxRelay relay) {
        this.projects = projects;
        this.mappings = mappings;
        this.outbox = outbox;
        this.parser = parser;
        this.json = json;
        this.relay = relay;
    }

    public Uni<MappingEntity> create(String projectKey, MappingDraft draft) {
        return inTransactionThenRelay(() -> projects.find(projectKey).flatMap(project -> {
            ResolvedMapping resolved = resolve(draft);
            return requireFreeKey(project, resolved.key(), null).flatMap(free -> {
                MappingEntity mapping = new MappingEntity();
                mapping.projectId = project.id;
                apply(mapping, draft, resolved);
                mapping.revision = 1;
                mapping.createdAt = now();
                mapping.updatedAt = mapping.createdAt;
                return mappings.persistAndFlush(mapping)
                        .onFailure(SqlStates::isUniqueViolation).transform(f -> keyTaken(project, resolved.key()))
                        .call(saved -> announce(project, saved, MappingChanged.Change.created));
            });
        }));
    }

    @WithSession
    public Uni<ResultPage<MappingEntity>> list(String projectKey, int page, int size) {
        return projects.find(projectKey).flatMap(project -> mappings.pageActive(project.id, Page.of(page, size))
                .flatMap(items -> mappings.countActive(project.id)
                        .map(total -> new ResultPage<>(page, size, total, items))));
    }

    @WithSession
    public Uni<MappingEntity> get(String projectKey, long id) {
        return projects.find(projectKey).flatMap(project -> findActive(project, id));
    }

    /**
     * Replaces a mapping's name, type, spec and params. The revision goes up (and a change is announced) only when one
     * of them really changed; an identical update changes nothing.
     */
    public Uni<MappingEntity> update(String projectKey, long id, MappingDraft draft) {
        return inTransactionThenRelay(() -> projects.find(projectKey).flatMap(project -> findActive(project, id)
                .flatMap(mapping -> {
                    ResolvedMapping resolved = resolve(draft);
                    boolean changed = !Objects.equals(mapping.name, draft.name().strip())
                            || !Objects.equals(mapping.type, resolved.type().name())
                            || !Objects.equals(mapping.spec, resolved.spec())
                            || !Objects.equals(new TreeMap<>(mapping.params), resolved.params());
                    if (!changed) {
                        return Uni.createFrom().item(mapping);
                    }
                    Uni<Void> keyCheck = resolved.key().equals(mapping.key)
                            ? Uni.createFrom().voidItem()
                            : requireFreeKey(project, resolved.key(), mapping.id);
                    return keyCheck.flatMap(free -> {
                        apply(mapping, draft, resolved);
                        mapping.revision++;
                        mapping.updatedAt = now();
                        return mappings.flush().replaceWith(mapping)
                                .onFailure(SqlStates::isUniqueViolation)
                                .transform(f -> keyTaken(project, resolved.key()))
                                .call(saved -> announce(project, saved, MappingChanged.Change.updated));
                    });
                })));
    }

    /** Soft-deletes a mapping: the row stays with {@code deletedAt}, and it is no longer listed. */
    public Uni<Void> delete(String projectKey, long id) {
        return inTransactionThenRelay(() -> projects.find(projectKey).flatMap(project -> findActive(project, id)
                .flatMap(mapping -> {
                    mapping.deletedAt = now();
                    mapping.updatedAt = mapping.deletedAt;
                    return announce(project, mapping, MappingChanged.Change.deleted);
                })));
    }

    /** Runs {@code work} in one transaction and, once it committed, wakes the outbox relay. */
    private <T> Uni<T> inTransactionThenRelay(Supplier<Uni<T>> work) {
        return Panache.withTransaction(work).invoke(relay::wakeUp);
    }

    /** A project and its active mappings (for the internal call of sync-service). */
    @WithSession
    public Uni<ProjectWithMappings> activeMappings(String projectKey) {
        return projects.find(projectKey).flatMap(project -> mappings.listActive(project.id)
                .map(active -> new ProjectWithMappings(project, active)));
    }

    private ResolvedMapping resolve(MappingDraft draft) {
        return parser.resolve(draft.name(), draft.type(), draft.spec(), draft.params());
    }

    private Uni<MappingEntity> findActive(ProjectEntity project, long id) {
        return mappings.findActive(project.id, id).onItem().ifNull().failWith(() -> ProblemException
                .notFound("Project '" + project.key + "' has no mapping " + id + " (or it was deleted)."));
    }

    private Uni<Void> requireFreeKey(ProjectEntity project, String key, Long except) {
        return mappings.findActiveByKey(project.id, key).invoke(existing -> {
            if (existing != null && !existing.id.equals(except)) {
                throw keyTaken(project, key);
            }
        }).replaceWithVoid();
    }

    private static ProblemException keyTaken(ProjectEntity project, String key) {
        return ProblemException.conflict("Project '" + project.key + "' already has an active mapping with key '"
                + key + "': give this one another name, or delete or rename the other one first.");
    }

    private static void apply(MappingEntity mapping, MappingDraft draft, ResolvedMapping resolved) {
        mapping.name = draft.name().strip();
        mapping.type = resolved.type().name();
        mapping.spec = resolved.spec();
        mapping.params = resolved.params();
        mapping.key = resolved.key();
        mapping.resourceType = resolved.resourceType();
        mapping.query = resolved.query();
    }

    /** Writes the change to the outbox, in the caller's transaction. */
    private Uni<Void> announce(ProjectEntity project, MappingEntity mapping, MappingChanged.Change change) {
        MappingChanged event = MappingChanged.of(project.key, mapping.id, change, mapping.revision);
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return outbox.add(Topics.MAPPING_CHANGED, project.key, payload).replaceWithVoid();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
