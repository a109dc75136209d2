package org.fhirsnapshot.sync.rest;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.Caller;
import org.fhirsnapshot.security.ProjectAccessDenied;
import org.fhirsnapshot.security.ProjectAccessFilter;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;
import org.fhirsnapshot.sync.RetryFilter;
import org.fhirsnapshot.sync.TaskService;
import org.fhirsnapshot.sync.TaskType;
import org.fhirsnapshot.sync.client.ConfigServiceClient;
import org.fhirsnapshot.sync.client.DownstreamRejectedException;
import org.fhirsnapshot.sync.client.DownstreamUnavailableException;
import org.fhirsnapshot.sync.client.ProjectNotFoundException;
import org.fhirsnapshot.sync.persistence.TaskLogRepository;
import org.fhirsnapshot.sync.persistence.TaskRepository;

/**
 * A project's tasks: their list and history, and the manual ones (full sync, retry failed). Readers of the project see
 * them; managers request them ({@link ProjectAccessFilter} checks the role before a method runs).
 */
@Path("/api/projects/{key}/tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    private static final String PROJECT_KEY = "[a-z0-9-]{1,64}";
    private static final int DEFAULT_SIZE = 20;
    /** Also in the list's OpenAPI description. */
    private static final int MAX_SIZE = 200;
    private static final String MANUAL_TYPES = TaskType.MANUAL.stream().map(TaskType::value)
            .collect(Collectors.joining(", "));

    private final TaskService tasks;
    private final TaskRepository taskRepository;
    private final TaskLogRepository logRepository;
    private final ConfigServiceClient configService;
    private final SecurityIdentity identity;

    public TaskResource(TaskService tasks, TaskRepository taskRepository, TaskLogRepository logRepository,
            ConfigServiceClient configService, SecurityIdentity identity) {
        this.tasks = tasks;
        this.taskRepository = taskRepository;
        this.logRepository = logRepository;
        this.configService = configService;
        this.identity = identity;
    }

    /** The project's tasks, newest first. */
    @GET
    @WithSession
    @RequiresProjectRole(ProjectRole.READER)
    @Operation(summary = "List a project's tasks", description = "Newest first. Paged: page from 0 (default 0), "
            + "size 1 to 200 (default 20); other values are a 400.")
    public Uni<TaskPage> list(@PathParam("key") String projectKey, @QueryParam("page") String pageParam,
            @QueryParam("size") String sizeParam) {
        Paging paging = Paging.of(pageParam, sizeParam, DEFAULT_SIZE, MAX_SIZE);
        return taskRepository.countOfProject(projectKey).chain(total -> {
            // A project without tasks may be unknown: only then is config-service asked.
            Uni<Void> known = total == 0 ? requireProject(projectKey, false) : Uni.createFrom().voidItem();
            return known.chain(() -> taskRepository.pageOfProject(projectKey, paging.page(), paging.size()))
                    .map(found -> new TaskPage(paging.page(), paging.size(), total,
                            found.stream().map(TaskView::of).toList()));
        });
    }

    /** Requests a full sync or a retry of failed instances: 202 with the task, or with the pending one it joined. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @CustomDeserialization(StrictJson.class)
    @WithSession
    @RequiresProjectRole(ProjectRole.MANAGER)
    @Operation(summary = "Request a full sync or a retry of failed instances", description = "202 with the task, or "
            + "with the pending task of that type it joined. Needs the manager role in the project.")
    public Uni<Response> create(@PathParam("key") String projectKey,
            @NotNull(message = "a body is required: {\"type\": \"full-sync\"}") @Valid CreateTaskRequest request) {
        // The value is not repeated back: a client may have put anything there.
        TaskType type = TaskType.of(request.type()).filter(TaskType.MANUAL::contains)
                .orElseThrow(() -> ProblemException.invalid("type", "This is not a task type that can be "
                        + "requested. Valid types: " + MANUAL_TYPES + "."));
        if (type != TaskType.RETRY_FAILED && (request.errorClasses() != null || request.mappingIds() != null)) {
            throw ProblemException.invalid(request.errorClasses() != null ? "errorClasses" : "mappingIds",
                    "errorClasses and mappingIds apply to retry-failed only.");
        }
        RetryFilter filter = new RetryFilter(request.errorClasses(), request.mappingIds());
        String requestedBy = Caller.of(identity).name();
        return requireProject(projectKey, true)
                .chain(() -> tasks.request(projectKey, type, filter, requestedBy))
                .chain(opened -> taskRepository.findById(opened.id()))
                .map(task -> Response.accepted(TaskView.of(task))
                        .location(URI.create("/api/projects/" + projectKey + "/tasks/" + task.id)).build());
    }

    /** One task with its log lines. */
    @GET
    @Path("/{id}")
    @WithSession
    @RequiresProjectRole(ProjectRole.READER)
    @Operation(summary = "A task with its log lines")
    public Uni<TaskView> get(@PathParam("key") String projectKey, @PathParam("id") long id) {
        return taskRepository.findInProject(projectKey, id).chain(task -> {
            if (task == null) {
                // An unknown project answers as such (the same 404 as for a project the caller may not see).
                return requireProject(projectKey, false).chain(() -> Uni.createFrom().failure(ProblemException
                        .notFound("Project " + projectKey + " has no task " + id + ". List its tasks at "
                                + "/api/projects/" + projectKey + "/tasks.")));
            }
            return logRepository.ofTask(id).map(log -> TaskView.of(task, log));
        });
    }

    /**
     * Fails with {@link ProjectAccessDenied#notFound} when config-service does not know the project (the same problem
     * as for a project the caller has no role in), with 409 when it is disabled and {@code toRun}, and with 503 when
     * config-service cannot tell.
     */
    private Uni<Void> requireProject(String projectKey, boolean toRun) {
        if (!projectKey.matches(PROJECT_KEY)) {
            return Uni.createFrom().failure(ProjectAccessDenied.notFound(projectKey));
        }
        return configService.activeMappings(projectKey).replaceWithVoid()
                .onFailure(ProjectNotFoundException.class).recoverWithUni(e -> {
                    if (!((ProjectNotFoundException) e).disabled()) {
                        return Uni.createFrom().failure(ProjectAccessDenied.notFound(projectKey));
                    }
                    return toRun
                            ? Uni.createFrom().failure(ProblemException.conflict("Project " + projectKey
                                    + " is disabled. An administrator must enable it before tasks can run."))
                            : Uni.createFrom().voidItem();
                })
                .onFailure(e -> e instanceof DownstreamUnavailableException || e instanceof DownstreamRejectedException)
                .transform(e -> new ProblemException(503, "Service unavailable",
                        "Could not check the project with config-service (" + e.getMessage()
                                + "). Try again shortly."));
    }
}
