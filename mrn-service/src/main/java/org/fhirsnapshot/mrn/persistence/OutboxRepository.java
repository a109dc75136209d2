package org.fhirsnapshot.mrn.persistence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The transactional outbox: an event is written in the transaction of the change that causes it and published by
 * {@link org.fhirsnapshot.mrn.messaging.OutboxRelay} afterwards, so a change and its event never diverge.
 */
@ApplicationScoped
public class OutboxRepository {

    /** One event waiting to be published. */
    public record OutboxEvent(long id, String topic, String key, String payload) {
    }

    /** Adds events inside the caller's transaction. */
    public Uni<Void> add(SqlConnection connection, String topic, String key, List<String> payloads) {
        if (payloads.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> batch = payloads.stream().map(payload -> Tuple.of(topic, key, payload)).toList();
        return connection
                .preparedQuery("insert into outbox (topic, message_key, payload) values ($1, $2, $3::text::jsonb)")
                .executeBatch(batch).replaceWithVoid();
    }

    /**
     * The oldest events, locked for the caller's transaction; another replica's relay skips them meanwhile.
     */
    public Uni<List<OutboxEvent>> lockOldest(SqlConnection connection, int limit) {
        return connection.preparedQuery("""
                select id, topic, message_key, payload::text as payload from outbox
                order by id limit $1 for update skip locked
                """).execute(Tuple.of(limit)).map(rows -> {
            List<OutboxEvent> events = new ArrayList<>(rows.rowCount());
            for (Row row : rows) {
                events.add(new OutboxEvent(row.getLong("id"), row.getString("topic"), row.getString("message_key"),
                        row.getString("payload")));
            }
            return events;
        });
    }

    public Uni<Void> delete(SqlConnection connection, List<Long> ids) {
        return connection.preparedQuery("delete from outbox where id = any($1::bigint[])")
                .execute(Tuple.of(ids.toArray(new Long[0]))).replaceWithVoid();
    }
}
