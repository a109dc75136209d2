package org.fhirsnapshot.sync.rest;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
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
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.sync.RetryFilter;
import org.fhirsnapshot.sync.TaskService;
import org.fhirsnapshot.sync.TaskType;
import org.fhirsnapshot.sync.client.ConfigServiceClient;
import org.fhirsnapshot.sync.client.DownstreamRejectedException;
import org.fhirsnapshot.sync.client.DownstreamUnavailableException;
import org.fhirsnapshot.sync.client.ProjectNotFoundException;
import org.fhirsnapshot.sync.persistence.TaskLogRepository;
import org.fhirsnapshot.sync.persistence.TaskRepository;

/** A project's tasks: their list and history, and the manual ones (full sync, retry failed). */
@Path("/api/projects/{key}/tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    private static final String PROJECT_KEY = "[a-z0-9-]{1,64}";
    private static final String MANUAL_TYPES = TaskType.MANUAL.stream().map(TaskType::value)
            .collect(Collectors.joining(", "));

    private final TaskService tasks;
    private final TaskRepository taskRepository;
    private final TaskLogRepository logRepository;
    private final ConfigServiceClient configService;

    public TaskResource(TaskService tasks, TaskRepository taskRepository, TaskLogRepository logRepository,
            ConfigServiceClient configService) {
        this.tasks = tasks;
        this.taskRepository = taskRepository;
        this.logRepository = logRepository;
        this.configService = configService;
    }

    /** The project's tasks, newest first. */
    @GET
    @WithSession
    public Uni<TaskPage> list(@PathParam("key") String projectKey,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(200) int size) {
        return taskRepository.countOfProject(projectKey).chain(total -> {
            // A project without tasks may be unknown: only then is config-service asked.
            Uni<Void> known = total == 0 ? requireProject(projectKey) : Uni.createFrom().voidItem();
            return known.chain(() -> taskRepository.pageOfProject(projectKey, page, size))
                    .map(found -> new TaskPage(page, size, total, found.stream().map(TaskView::of).toList()));
        });
    }

    /** Requests a full sync or a retry of failed instances: 202 with the task, or with the pending one it joined. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<Response> create(@PathParam("key") String projectKey,
            @NotNull(message = "a body is required: {\"type\": \"full-sync\"}") @Valid CreateTaskRequest request) {
        TaskType type = TaskType.of(request.type()).filter(TaskType.MANUAL::contains)
                .orElseThrow(() -> ProblemException.invalid("type", "'" + request.type()
                        + "' is not a task type that can be requested. Valid types: " + MANUAL_TYPES + "."));
        if (type != TaskType.RETRY_FAILED && (request.errorClasses() != null || request.mappingIds() != null)) {
            throw ProblemException.invalid(request.errorClasses() != null ? "errorClasses" : "mappingIds",
                    "errorClasses and mappingIds apply to retry-failed only.");
        }
        RetryFilter filter = new RetryFilter(request.errorClasses(), request.mappingIds());
        return requireProject(projectKey)
                .chain(() -> tasks.request(projectKey, type, filter))
                .chain(opened -> taskRepository.findById(opened.id()))
                .map(task -> Response.accepted(TaskView.of(task))
                        .location(URI.create("/api/projects/" + projectKey + "/tasks/" + task.id)).build());
    }

    /** One task with its log lines. */
    @GET
    @Path("/{id}")
    @WithSession
    public Uni<TaskView> get(@PathParam("key") String projectKey, @PathParam("id") long id) {
        return taskRepository.findInProject(projectKey, id).chain(task -> {
            if (task == null) {
                return Uni.createFrom().failure(ProblemException.notFound(
                        "Project " + projectKey + " has no task " + id + ". List its tasks at /api/projects/"
                                + projectKey + "/tasks."));
            }
            return logRepository.ofTask(id).map(log -> TaskView.of(task, log));
        });
    }

    /** Fails with a 404 problem when config-service does not know the project (409 when it is disabled). */
    private Uni<Void> requireProject(String projectKey) {
        if (!projectKey.matches(PROJECT_KEY)) {
            return Uni.createFrom().failure(unknownProject(projectKey));
        }
        return configService.activeMappings(projectKey).replaceWithVoid()
                .onFailure(ProjectNotFoundException.class).transform(e -> ((ProjectNotFoundException) e).disabled()
                        ? ProblemException.conflict("Project " + projectKey
                                + " is disabled. An administrator must enable it before tasks can run.")
                        : unknownProject(projectKey))
                .onFailure(e -> e instanceof DownstreamUnavailableException || e instanceof DownstreamRejectedException)
                .transform(e -> new ProblemException(503, "Service unavailable",
                        "Could not check the project with config-service (" + e.getMessage()
                                + "). Try again shortly."));
    }

    private static ProblemException unknownProject(String projectKey) {
        return ProblemException.notFound("There is no project '" + projectKey
                + "'. Check the key, or create the project at config-service (POST /api/projects).");
    }
}
