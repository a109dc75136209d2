package org.fhirsnapshot.config.persistence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.fhirsnapshot.config.SlotLease;

/**
 * The {@code request_slot_lease} table, with plain reactive SQL: one transaction per call, serialised per FHIR system
 * by a row lock on the system ({@code select … for no key update}: it excludes the other slot calls and updates of the
 * system, not the inserts of rows that refer to it), so every config-service replica sees the same leases.
 */
@ApplicationScoped
public class RequestSlotLeaseRepository {

    private final Pool pool;

    public RequestSlotLeaseRepository(Pool pool) {
        this.pool = pool;
    }

    /** What a call saw and did, for the caller and for metrics. */
    public record Outcome(int granted, int expired) {
    }

    /** Decides the caller's grant from the system's stored limit and the other holders' live leases. */
    @FunctionalInterface
    public interface Decision {
        /**
         * @param previous the caller's own live lease, or null
         * @param others the other holders' live leases
         */
        int grant(int storedMaxConcurrency, SlotLease previous, List<SlotLease> others);
    }

    /**
     * In one transaction: locks the system, deletes its expired leases, asks {@code decision} for the caller's grant
     * and stores the caller's lease (granted, in use, wanted, until now + lease, served now when granted any), or deletes it when the caller holds,
     * uses and wants nothing.
     *
     * @return the outcome, or null when the system does not exist
     */
    public Uni<Outcome> renew(long systemId, String holder, int wanted, int inUse, Duration lease,
            Decision decision) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("select max_concurrency from fhir_system where id = $1 for no key update")
                .execute(Tuple.of(systemId))
                .flatMap(systems -> {
                    if (systems.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    int storedMax = systems.iterator().next().getInteger("max_concurrency");
                    return connection
                            .preparedQuery("delete from request_slot_lease where system_id = $1 "
                                    + "and lease_until <= now()")
                            .execute(Tuple.of(systemId))
                            .flatMap(expired -> live(connection, systemId)
                                    .flatMap(live -> {
                                        SlotLease previous = live.stream()
                                                .filter(row -> row.holder().equals(holder))
                                                .findFirst().orElse(null);
                                        List<SlotLease> others = live.stream()
                                                .filter(row -> !row.holder().equals(holder)).toList();
                                        int granted = decision.grant(storedMax, previous, others);
                                        return store(connection, systemId, holder, granted, inUse, wanted, lease)
                                                .map(stored -> new Outcome(granted, expired.rowCount()));
                                    }));
                }));
    }

    private static Uni<List<SlotLease>> live(SqlConnection connection, long systemId) {
        return connection
                .preparedQuery("select holder, granted, in_use, wanted, served_at from request_slot_lease "
                        + "where system_id = $1")
                .execute(Tuple.of(systemId))
                .map(rows -> {
                    List<SlotLease> leases = new ArrayList<>();
                    for (Row row : rows) {
                        leases.add(new SlotLease(row.getString("holder"), row.getInteger("granted"),
                                row.getInteger("in_use"), row.getInteger("wanted"),
                                row.getOffsetDateTime("served_at") == null
                                        ? null
                                        : row.getOffsetDateTime("served_at").toInstant()));
                    }
                    return leases;
                });
    }

    private static Uni<Void> store(SqlConnection connection, long systemId, String holder, int granted, int inUse,
            int wanted, Duration lease) {
        if (granted == 0 && inUse == 0 && wanted == 0) {
            return connection.preparedQuery("delete from request_slot_lease where system_id = $1 and holder = $2")
                    .execute(Tuple.of(systemId, holder)).replaceWithVoid();
        }
        return connection
                .preparedQuery("insert into request_slot_lease (system_id, holder, granted, in_use, wanted, "
                        + "lease_until, served_at) values ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', "
                        + "case when $3 > 0 then now() end) "
                        + "on conflict (system_id, holder) do update set granted = excluded.granted, "
                        + "in_use = excluded.in_use, wanted = excluded.wanted, lease_until = excluded.lease_until, "
                        + "served_at = coalesce(excluded.served_at, request_slot_lease.served_at)")
                .execute(Tuple.from(List.of(systemId, holder, granted, inUse, wanted, lease.toMillis())))
                .replaceWithVoid();
    }
}
