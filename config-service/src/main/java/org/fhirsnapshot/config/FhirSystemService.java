package org.fhirsnapshot.config;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;
import org.fhirsnapshot.config.persistence.FhirSystemEntity;
import org.fhirsnapshot.config.persistence.FhirSystemRepository;
import org.fhirsnapshot.config.persistence.ProjectRepository;
import org.fhirsnapshot.config.persistence.SqlStates;
import org.fhirsnapshot.problem.ProblemException;

/** FHIR systems: create, read, update, delete (refused while a project uses the system). */
@ApplicationScoped
public class FhirSystemService {

    private static final int PROJECTS_NAMED_IN_CONFLICT = 10;

    private final FhirSystemRepository systems;
    private final ProjectRepository projects;
    private final Vertx vertx;
    private final FhirSystemSecrets secrets;

    public FhirSystemService(FhirSystemRepository systems, ProjectRepository projects, Vertx vertx,
            FhirSystemSecrets secrets) {
        this.systems = systems;
        this.projects = projects;
        this.vertx = vertx;
        this.secrets = secrets;
    }

    /**
     * @param spareKey a smart-backend private key generated beforehand off the event loop
     *        ({@link #spareKey(FhirSystemDefinition)}), used when the definition gives none; may be null
     */
    @WithTransaction
    public Uni<FhirSystemEntity> create(FhirSystemDefinition definition, String spareKey) {
        FhirSystemEntity entity = new FhirSystemEntity();
        return Uni.createFrom().item(() -> {
            FhirSystemAuth auth = apply(entity, definition, null, spareKey);
            entity.setAuthWithoutSecrets(auth);
            entity.createdAt = entity.updatedAt;
            return auth;
        }).flatMap(auth -> systems.persistAndFlush(entity).flatMap(inserted -> {
            // The secrets are bound to the row id, known only after the insert: the row is inserted without them
            // and updated in the same transaction, so no other transaction ever sees it half written.
            secrets.store(inserted, auth);
            return systems.flush().replaceWith(inserted);
        }));
    }

    @WithSession
    public Uni<FhirSystemEntity> get(long id) {
        return systems.findById(id).onItem().ifNull().failWith(() -> notFound(id));
    }

    @WithSession
    public Uni<ResultPage<FhirSystemEntity>> list(int page, int size) {
        return systems.findAll(Sort.by("id")).page(Page.of(page, size)).list()
                .flatMap(items -> systems.count().map(total -> new ResultPage<>(page, size, total, items)));
    }

    /** Replaces the system's definition; secrets left out of the request are kept (see {@link FhirSystemAuth}). */
    @WithTransaction
    public Uni<FhirSystemEntity> update(long id, FhirSystemDefinition definition, String spareKey) {
        return systems.findById(id).onItem().ifNull().failWith(() -> notFound(id)).map(entity -> {
            secrets.store(entity, apply(entity, definition, storedAuth(entity, definition), spareKey));
            return entity;
        });
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
        return systems.findById(id).onItem().ifNull().failWith(() -> notFound(id))
                .flatMap(entity -> projects.findUsingSystem(id, PROJECTS_NAMED_IN_CONFLICT).flatMap(using -> {
                    if (!using.isEmpty()) {
                        String keys = using.stream().map(p -> p.key).collect(Collectors.joining(", "));
                        return Uni.createFrom().failure(ProblemException.conflict("FHIR system " + id
                                + " is used by project(s) " + keys + (using.size() == PROJECTS_NAMED_IN_CONFLICT
                                        ? " and maybe more"
                                        : "")
                                + ": move them to another FHIR system first."));
                    }
                    return systems.delete(entity).call(systems::flush);
                }))
                // A project created meanwhile trips the foreign key: the same conflict.
                .onFailure(SqlStates::isForeignKeyViolation).transform(failure -> ProblemException.conflict(
                        "FHIR system " + id + " is used by a project: move it to another FHIR system first."));
    }

    /** Whether the system exists (for a project that refers to it). */
    @WithSession
    public Uni<Boolean> exists(long id) {
        return systems.findById(id).map(entity -> entity != null);
    }

    /**
     * A smart-backend private key for a definition that may need one (smart-backend without a key), generated on a
     * worker thread (RSA key generation takes up to a few hundred ms) and delivered back on the caller's Vert.x
     * context; null otherwise.
     */
    public Uni<String> spareKey(FhirSystemDefinition definition) {
        FhirSystemAuth auth = definition.auth();
        if (auth == null || !auth.mayGenerateKey() || !FhirSystemAuth.ALGORITHMS.contains(auth.algorithmOrDefault())) {
            return Uni.createFrom().nullItem();
        }
        return vertx.executeBlocking(Uni.createFrom().item(() -> SmartBackendKeys.generate(auth.algorithmOrDefault())));
    }

    /** The system's auth decrypted; see {@link FhirSystemSecrets#auth}. */
    public FhirSystemAuth auth(FhirSystemEntity entity) {
        return secrets.auth(entity);
    }

    /**
     * The stored auth an update builds on. When its secrets cannot be decrypted, an update that replaces them (or
     * changes the auth type) still goes through, so that setting the secret again repairs the system; one that
     * would keep them fails with the {@link SecretsUnreadableException}.
     */
    private FhirSystemAuth storedAuth(FhirSystemEntity entity, FhirSystemDefinition definition) {
        try {
            return secrets.auth(entity);
        } catch (SecretsUnreadableException e) {
            FhirSystemAuth given = definition.auth() == null ? FhirSystemAuth.none() : definition.auth();
            if (given.keepsStoredSecret(entity.authType)) {
                throw e;
            }
            return entity.authWithoutSecrets();
        }
    }

    /** Applies the definition's non-secret fields to the entity and returns its validated auth, to be stored. */
    private static FhirSystemAuth apply(FhirSystemEntity entity, FhirSystemDefinition definition,
            FhirSystemAuth stored, String spareKey) {
        String name = definition.name() == null ? "" : definition.name().strip();
        if (name.isEmpty()) {
            throw ProblemException.invalid("name", "name is required: a display name such as 'Epic production'.");
        }
        entity.name = name;
        entity.baseUrl = FhirBaseUrl.normalise(definition.baseUrl(), "baseUrl");
        String identifierSystem = definition.patientIdentifierSystem();
        entity.patientIdentifierSystem = identifierSystem == null || identifierSystem.isBlank()
                ? null
                : identifierSystem.strip();
        FhirSystemAuth auth = definition.auth() == null ? FhirSystemAuth.none() : definition.auth();
        FhirSystemAuth validated = auth.validated(stored, spareKey);
        entity.setLimits(definition.limits() == null
                ? FhirSystemLimits.withDefaults(null, null, null)
                : definition.limits());
        entity.setTimeouts(definition.timeouts() == null ? FhirSystemTimeouts.defaults() : definition.timeouts());
        entity.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return validated;
    }

    static ProblemException notFound(long id) {
        return ProblemException.notFound("There is no FHIR system " + id + ".");
    }
}
