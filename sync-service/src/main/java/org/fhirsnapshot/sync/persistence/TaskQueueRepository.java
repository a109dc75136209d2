package org.fhirsnapshot.sync.persistence;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.fhirsnapshot.sync.CompletedTask;
import org.fhirsnapshot.sync.OpenedTask;
import org.fhirsnapshot.sync.RetryFilter;
import org.fhirsnapshot.sync.RunningTask;
import org.fhirsnapshot.sync.TaskType;

/**
 * Every state change of a task, in plain SQL on the reactive pool: opening or joining relies on
 * {@code INSERT ... ON CONFLICT} against the partial unique index of pending tasks, starting one on
 * {@code FOR UPDATE SKIP LOCKED} and the partial unique index of running tasks (one per project, whatever the number
 * of replicas). Each change writes its log line in the same transaction. Every write of a run names the run's token,
 * so a run that was taken over after its replica looked dead changes nothing.
 */
@ApplicationScoped
public class TaskQueueRepository {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final int CONFLICT_RETRIES = 3;

    private final Pool pool;

    public TaskQueueRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Opens a pending task of this type for the project, or joins the one that is pending, and logs why.
     *
     * @param filter for {@code retry-failed}: merged into a joined task's filter; null for other types
     * @param why the log line's subject, without PHI (for example "mapping 12 updated (revision 3)")
     * @param messageId the consumed message's id, or null for a request; a message already applied changes nothing
     * @param debounce how long a new task waits before it may run
     * @return the task, or empty when {@code messageId} was already applied
     */
    public Uni<Optional<OpenedTask>> openOrJoin(String projectKey, TaskType type, String trigger, RetryFilter filter,
            String why, String messageId, Duration debounce) {
        return onConflictRetry(() -> pool.withTransaction(conn -> firstTime(conn, messageId).chain(first -> first
                ? openOrJoin(conn, projectKey, type, trigger, filter, why, debounce).map(Optional::of)
                : Uni.createFrom().item(Optional.<OpenedTask>empty()))));
    }

    private Uni<Boolean> firstTime(SqlConnection conn, String messageId) {
        if (messageId == null) {
            return Uni.createFrom().item(true);
        }
        return conn.preparedQuery("INSERT INTO processed_message (id) VALUES ($1) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(messageId)).map(rows -> rows.rowCount() == 1);
    }

    private Uni<OpenedTask> openOrJoin(SqlConnection conn, String projectKey, TaskType type, String trigger,
            RetryFilter filter, String why, Duration debounce) {
        Tuple insert = Tuple.tuple().addString(projectKey).addString(type.value()).addString(trigger)
                .addValue(filterToJson(filter)).addDouble(seconds(debounce));
        return conn.preparedQuery("""
                INSERT INTO task (project_key, type, status, trigger, params, not_before)
                VALUES ($1, $2, 'pending', $3, $4, now() + make_interval(secs => $5))
                ON CONFLICT (project_key, type) WHERE status = 'pending' DO NOTHING
                RETURNING id""").execute(insert).chain(inserted -> {
            if (inserted.rowCount() == 1) {
                long id = inserted.iterator().next().getLong("id");
                return log(conn, id, "opened: " + why).replaceWith(new OpenedTask(id, false));
            }
            return conn.preparedQuery("""
                    SELECT id, params FROM task
                    WHERE project_key = $1 AND type = $2 AND status = 'pending' FOR UPDATE""")
                    .execute(Tuple.of(projectKey, type.value())).chain(pending -> {
                        if (pending.rowCount() == 0) {
                            // It started between the two statements: a new pending task is needed after all.
                            return openOrJoin(conn, projectKey, type, trigger, filter, why, debounce);
                        }
                        Row row = pending.iterator().next();
                        long id = row.getLong("id");
                        return mergeFilter(conn, id, row, filter).chain(() -> log(conn, id, "joined: " + why))
                                .replaceWith(new OpenedTask(id, true));
                    });
        });
    }

    private Uni<Void> mergeFilter(SqlConnection conn, long id, Row row, RetryFilter filter) {
        if (filter == null) {
            return Uni.createFrom().voidItem();
        }
        RetryFilter merged = filterFromJson(row.getJsonObject("params")).merge(filter);
        return conn.preparedQuery("UPDATE task SET params = $2 WHERE id = $1")
                .execute(Tuple.of(id, filterToJson(merged))).replaceWithVoid();
    }

    /**
     * Starts the next due pending task of a project that runs nothing: pending to running, attempts + 1, a fresh run
     * token. Empty when there is none (or another replica took the same project at the same moment).
     */
    public Uni<Optional<RunningTask>> startNext() {
        UUID token = UUID.randomUUID();
        return pool.preparedQuery("""
                UPDATE task t
                SET status = 'running', started_at = now(), run_token = $1, attempts = t.attempts + 1,
                    progress_done = 0, progress_total = 0
                WHERE t.id = (
                    SELECT c.id FROM task c
                    WHERE c.status = 'pending' AND c.not_before <= now()
                      AND NOT EXISTS (SELECT 1 FROM task r WHERE r.project_key = c.project_key AND r.status = 'running')
                    ORDER BY c.not_before, c.id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                RETURNING t.id, t.project_key, t.type, t.params, t.attempts""").execute(Tuple.of(token))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Optional.<RunningTask>empty();
                    }
                    Row row = rows.iterator().next();
                    TaskType type = TaskType.fromDatabase(row.getString("type"));
                    RetryFilter filter = type == TaskType.RETRY_FAILED
                            ? filterFromJson(row.getJsonObject("params"))
                            : null;
                    return Optional.of(new RunningTask(row.getLong("id"), row.getString("project_key"), type, filter,
                            row.getInteger("attempts"), token));
                })
                // The running-per-project index refused it: another replica started a task of that project.
                .onFailure(PgException.class).recoverWithUni(failure -> isUniqueViolation(failure)
                        ? Uni.createFrom().item(Optional.empty())
                        : Uni.createFrom().failure(failure));
    }

    /** Records a run's progress, with an optional log line; false when the run is no longer current. */
    public Uni<Boolean> progress(RunningTask task, int done, int total, String line) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                UPDATE task SET progress_done = $3, progress_total = $4
                WHERE id = $1 AND run_token = $2 AND status = 'running'""")
                .execute(Tuple.of(task.id(), task.runToken(), done, total))
                .chain(rows -> logIf(conn, rows, task.id(), line)));
    }

    /** running to completed with its report; false when the run is no longer current. */
    public Uni<Boolean> complete(RunningTask task, JsonObject report, String line) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                UPDATE task SET status = 'completed', finished_at = now(), report = $3, progress_done = progress_total,
                    run_token = NULL
                WHERE id = $1 AND run_token = $2 AND status = 'running'""")
                .execute(Tuple.of(task.id(), task.runToken(), report))
                .chain(rows -> logIf(conn, rows, task.id(), line)));
    }

    /** running to failed with a readable error; false when the run is no longer current. */
    public Uni<Boolean> fail(RunningTask task, String error) {
        return pool.withTransaction(conn -> fail(conn, task.id(), task.runToken(), error));
    }

    private Uni<Boolean> fail(SqlConnection conn, long id, UUID token, String error) {
        return conn.preparedQuery("""
                UPDATE task SET status = 'failed', finished_at = now(), error = $3, run_token = NULL
                WHERE id = $1 AND run_token = $2 AND status = 'running'""").execute(Tuple.of(id, token, error))
                .chain(rows -> logIf(conn, rows, id, "failed: " + error));
    }

    /**
     * After a failed attempt: back to pending after {@code delay}, or failed when it has used {@code maxAttempts}.
     * When a newer task of the same type is already pending (a request joined while this one ran), that task takes
     * the work over (with this one's retry filter merged in) and this one ends failed, saying so.
     *
     * @param reason what went wrong, readable and without PHI
     */
    public Uni<Boolean> retryLater(RunningTask task, String reason, Duration delay, int maxAttempts) {
        if (task.attempt() >= maxAttempts) {
            return fail(task, "gave up after " + task.attempt() + " attempts: " + reason);
        }
        return onConflictRetry(() -> pool.withTransaction(conn -> conn.preparedQuery("""
                SELECT id, params FROM task
                WHERE project_key = $1 AND type = $2 AND status = 'pending' FOR UPDATE""")
                .execute(Tuple.of(task.projectKey(), task.type().value())).chain(pending -> {
                    String attempt = "attempt " + task.attempt() + " of " + maxAttempts + " failed: " + reason;
                    if (pending.rowCount() == 1) {
                        Row twin = pending.iterator().next();
                        long twinId = twin.getLong("id");
                        return fail(conn, task.id(), task.runToken(), attempt + "; the pending task " + twinId
                                + " of the same type takes its work over").chain(
                                        current -> !current
                                                ? Uni.createFrom().item(false)
                                                : mergeFilter(conn, twinId, twin, task.filter())
                                                        .chain(() -> log(conn, twinId, "took over the work of task "
                                                                + task.id() + " after its " + attempt))
                                                        .replaceWith(true));
                    }
                    return conn.preparedQuery("""
                            UPDATE task SET status = 'pending', not_before = now() + make_interval(secs => $3),
                                started_at = NULL, run_token = NULL
                            WHERE id = $1 AND run_token = $2 AND status = 'running'""")
                            .execute(Tuple.of(task.id(), task.runToken(), seconds(delay)))
                            .chain(rows -> logIf(conn, rows, task.id(),
                                    attempt + "; next attempt in " + describe(delay)));
                })));
    }

    /** Tasks still running after {@code staleAfter}: their replica stopped or lost the database. */
    public Uni<List<RunningTask>> stale(Duration staleAfter) {
        return pool.preparedQuery("""
                SELECT id, project_key, type, params, attempts, run_token FROM task
                WHERE status = 'running' AND started_at < now() - make_interval(secs => $1)""")
                .execute(Tuple.of(seconds(staleAfter))).map(rows -> {
                    List<RunningTask> tasks = new ArrayList<>();
                    for (Row row : rows) {
                        TaskType type = TaskType.fromDatabase(row.getString("type"));
                        tasks.add(new RunningTask(row.getLong("id"), row.getString("project_key"), type,
                                type == TaskType.RETRY_FAILED ? filterFromJson(row.getJsonObject("params")) : null,
                                row.getInteger("attempts"), row.getUUID("run_token")));
                    }
                    return tasks;
                });
    }

    /**
     * Runs {@code work} while holding the transaction-scoped advisory lock {@code lockKey}, and records the
     * completed tasks it returns in the same transaction. Another replica holding the lock means empty: the work
     * does not run. The lock goes with the transaction, so a replica that dies mid-way cannot keep it.
     *
     * @return the ids of the recorded tasks, or empty when another replica holds the lock
     */
    public Uni<Optional<List<Long>>> exclusively(long lockKey, Supplier<Uni<List<CompletedTask>>> work) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .execute(Tuple.of(lockKey)).chain(rows -> {
                    if (!rows.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(Optional.<List<Long>>empty());
                    }
                    return Uni.createFrom().<List<CompletedTask>>deferred(work::get)
                            .chain(tasks -> Multi.createFrom().iterable(tasks)
                                    .onItem().transformToUniAndConcatenate(task -> record(conn, task))
                                    .collect().asList())
                            .map(Optional::of);
                }));
    }

    private Uni<Long> record(SqlConnection conn, CompletedTask task) {
        return conn.preparedQuery("""
                INSERT INTO task (project_key, type, status, trigger, started_at, finished_at, progress_done,
                    progress_total, report, attempts)
                VALUES ($1, $2, 'completed', $3, now(), now(), 1, 1, $4, 1)
                RETURNING id""")
                .execute(Tuple.of(task.projectKey(), task.type().value(), task.trigger(), task.report()))
                .map(rows -> rows.iterator().next().getLong("id"))
                .call(id -> Multi.createFrom().iterable(task.log())
                        .onItem().transformToUniAndConcatenate(line -> log(conn, id, line)).collect().last());
    }

    /** Forgets consumed message ids older than {@code retention}; returns how many. */
    public Uni<Integer> forgetProcessedMessages(Duration retention) {
        return pool.preparedQuery(
                "DELETE FROM processed_message WHERE processed_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of(seconds(retention))).map(RowSet::rowCount);
    }

    private Uni<Boolean> logIf(SqlConnection conn, RowSet<Row> updated, long id, String line) {
        if (updated.rowCount() == 0) {
            return Uni.createFrom().item(false);
        }
        return line == null ? Uni.createFrom().item(true) : log(conn, id, line).replaceWith(true);
    }

    private Uni<Void> log(SqlConnection conn, long taskId, String message) {
        return conn.preparedQuery("INSERT INTO task_log (task_id, message) VALUES ($1, $2)")
                .execute(Tuple.of(taskId, message)).replaceWithVoid();
    }

    /** A transaction that lost a race on a unique index is run again (it then sees the winner's row). */
    private static <T> Uni<T> onConflictRetry(Supplier<Uni<T>> transaction) {
        return Uni.createFrom().<T>deferred(transaction::get).onFailure(TaskQueueRepository::isUniqueViolation).retry()
                .atMost(CONFLICT_RETRIES);
    }

    private static boolean isUniqueViolation(Throwable failure) {
        return failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
    }

    static JsonObject filterToJson(RetryFilter filter) {
        if (filter == null) {
            return null;
        }
        JsonObject json = new JsonObject();
        if (filter.errorClasses() != null) {
            json.put("errorClasses", new JsonArray(new ArrayList<>(filter.errorClasses())));
        }
        if (filter.mappingIds() != null) {
            json.put("mappingIds", new JsonArray(new ArrayList<>(filter.mappingIds())));
        }
        return json;
    }

    static RetryFilter filterFromJson(JsonObject json) {
        if (json == null) {
            return RetryFilter.ALL;
        }
        JsonArray classes = json.getJsonArray("errorClasses");
        JsonArray mappings = json.getJsonArray("mappingIds");
        return new RetryFilter(
                classes == null ? null : classes.stream().map(String::valueOf).toList(),
                mappings == null ? null : mappings.stream().map(id -> ((Number) id).longValue()).toList());
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static String describe(Duration delay) {
        long millis = delay.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
