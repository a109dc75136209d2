package org.fhirsnapshot.config;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.hibernate.reactive.panache.PanacheQuery;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.fhirsnapshot.config.persistence.FhirSystemRepository;
import org.fhirsnapshot.config.persistence.ProjectEntity;
import org.fhirsnapshot.config.persistence.ProjectRepository;
import org.fhirsnapshot.config.persistence.SqlStates;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.Caller;
import org.fhirsnapshot.security.ProjectAccessDenied;

/** Projects: a cohort on one FHIR system, addressed by its key. */
@ApplicationScoped
public class ProjectService {

    /** What a project key looks like. */
    public static final Pattern KEY = Pattern.compile("[a-z0-9-]{1,64}");

    private final ProjectRepository projects;
    private final FhirSystemRepository systems;

    public ProjectService(ProjectRepository projects, FhirSystemRepository systems) {
        this.projects = projects;
        this.systems = systems;
    }

    @WithTransaction
    public Uni<ProjectEntity> create(String key, String name, long fhirSystemId, boolean enabled) {
        return Uni.createFrom().item(() -> {
            if (key == null || !KEY.matcher(key).matches()) {
                throw ProblemException.invalid("key", "key must be 1 to 64 lower-case letters, digits or '-'.");
            }
            ProjectEntity project = new ProjectEntity();
            project.key = key;
            project.name = requireName(name);
            project.fhirSystemId = fhirSystemId;
            project.enabled = enabled;
            project.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            project.updatedAt = project.createdAt;
            return project;
        }).call(project -> projects.findByKey(key).invoke(existing -> {
            if (existing != null) {
                throw duplicate(key);
            }
        })).call(project -> requireSystem(fhirSystemId))
                .flatMap(projects::persistAndFlush)
                .onFailure(SqlStates::isUniqueViolation).transform(failure -> duplicate(key));
    }

    /** The project with this key, or a 404 problem. */
    @WithSession
    public Uni<ProjectEntity> get(String key) {
        return find(key);
    }

    /** The projects a caller may see (all for an admin), a page of them by key. */
    @WithSession
    public Uni<ResultPage<ProjectEntity>> list(Caller caller, int page, int size) {
        if (!caller.admin() && caller.projectRoles().isEmpty()) {
            return Uni.createFrom().item(new ResultPage<>(page, size, 0, List.of()));
        }
        PanacheQuery<ProjectEntity> visible = caller.admin()
                ? projects.findAll(Sort.by("key"))
                : projects.find("key in ?1", Sort.by("key"), caller.projectRoles().keySet());
        return visible.page(Page.of(page, size)).list()
                .flatMap(items -> visible.count().map(total -> new ResultPage<>(page, size, total, items)));
    }

    @WithTransaction
    public Uni<ProjectEntity> update(String key, String name, long fhirSystemId, boolean enabled) {
        return find(key).call(project -> requireSystem(fhirSystemId)).map(project -> {
            project.name = requireName(name);
            project.fhirSystemId = fhirSystemId;
            project.enabled = enabled;
            project.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return project;
        });
    }

    /** The project with this key, or a 404 problem; runs in the caller's session. */
    public Uni<ProjectEntity> find(String key) {
        return projects.findByKey(key).onItem().ifNull().failWith(() -> notFound(key));
    }

    public static ProblemException notFound(String key) {
        return ProjectAccessDenied.notFound(key);
    }

    private Uni<Void> requireSystem(long fhirSystemId) {
        return systems.findById(fhirSystemId).invoke(system -> {
            if (system == null) {
                throw ProblemException.invalid("fhirSystemId", "There is no FHIR system " + fhirSystemId
                        + ": create it with POST /api/fhir-systems or use the id of an existing one.");
            }
        }).replaceWithVoid();
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.invalid("name", "name is required.");
        }
        if (name.strip().length() > 200) {
            throw ProblemException.invalid("name", "name is longer than 200 characters.");
        }
        return name.strip();
    }

    private static ProblemException duplicate(String key) {
        return ProblemException.conflict("A project with key '" + key + "' exists already: choose another key.");
    }
}
