package org.fhirsnapshot.config.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The transactional outbox. {@link #add} joins the caller's Hibernate Reactive transaction, so a change and the
 * message announcing it commit together (no dual write). {@link #relay} publishes and deletes a batch with plain SQL.
 */
@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxEntity> {

    private static final Logger LOG = Logger.getLogger(OutboxRepository.class);

    private final Pool pool;

    public OutboxRepository(Pool pool) {
        this.pool = pool;
    }

    /** Adds a message in the current transaction. */
    public Uni<OutboxEntity> add(String topic, String key, String payload) {
        OutboxEntity entity = new OutboxEntity();
        entity.topic = topic;
        entity.messageKey = key;
        entity.payload = payload;
        entity.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return persist(entity);
    }

    /**
     * Publishes up to {@code limit} of the oldest messages, one after the other in id order, and deletes those that
     * were published, all in one transaction. Rows locked by another replica's relay are skipped. Publishing stops at
     * the first failure; the unpublished rows stay for the next run (at-least-once: a crash between publishing and
     * commit publishes a message again, which consumers tolerate).
     *
     * @return how many messages were published
     */
    public Uni<Integer> relay(int limit, Function<OutboxMessage, Uni<Void>> publish) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("select id, topic, message_key, payload from outbox order by id limit $1 "
                        + "for update skip locked")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<OutboxMessage> messages = new ArrayList<>();
                    for (Row row : rows) {
                        messages.add(new OutboxMessage(row.getLong("id"), row.getString("topic"),
                                row.getString("message_key"), row.getString("payload")));
                    }
                    return messages;
                })
                .flatMap(messages -> publishInOrder(messages, publish))
                .flatMap(published -> published.isEmpty()
                        ? Uni.createFrom().item(0)
                        : connection.preparedQuery("delete from outbox where id = any($1)")
                                .execute(Tuple.of(published.toArray(new Long[0])))
                                .map(deleted -> published.size())));
    }

    private static Uni<List<Long>> publishInOrder(List<OutboxMessage> messages,
            Function<OutboxMessage, Uni<Void>> publish) {
        List<Long> published = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (OutboxMessage message : messages) {
            chain = chain.chain(() -> publish.apply(message).invoke(() -> published.add(message.id())));
        }
        return chain.onFailure().recoverWithItem(failure -> {
            LOG.warnf("Publishing outbox messages stopped after %d of %d (%s); the rest stay for the next run",
                    published.size(), messages.size(), failure.toString());
            return null;
        }).map(done -> published);
    }
}
