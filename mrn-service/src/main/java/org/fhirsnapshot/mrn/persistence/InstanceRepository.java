package org.fhirsnapshot.mrn.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.events.Pagination;
import org.fhirsnapshot.contracts.events.PendingResource;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.MappingDefinition;
import org.fhirsnapshot.mrn.InstanceStatus;
import org.fhirsnapshot.mrn.InstanceStatusChange;
import org.fhirsnapshot.mrn.MappingType;
import org.fhirsnapshot.mrn.ResourceInstance;
import org.fhirsnapshot.mrn.config.MrnServiceConfig;

/**
 * Resource instances. Every write is one set-based statement (arrays bound as parameters and {@code unnest}ed, or
 * {@code id = any($1)}), never a loop over rows: a project may hold 100,000 MRNs x 10 mappings. Statements that
 * must commit together take the caller's {@link SqlConnection}; the others run on the pool.
 */
@ApplicationScoped
public class InstanceRepository {

    /** Instances that are history, not state. */
    private static final String INACTIVE = "('outdated', 'deleted')";
    /** Any fixed number: the transaction-scoped advisory lock that makes one replica publish at a time. */
    private static final long PUBLISHER_LOCK = 0x6d726e5075624cL;

    private final Pool pool;
    private final ObjectMapper json;
    private final MrnServiceConfig.Retry retry;

    public InstanceRepository(Pool pool, ObjectMapper json, MrnServiceConfig config) {
        this.pool = pool;
        this.json = json;
        this.retry = config.retry();
    }

    // ---------------------------------------------------------------- reconcile (one transaction, set-based)

    /** The requested mappings as parallel arrays, one per column, for {@code unnest}. */
    public record MappingColumns(Long[] ids, Integer[] revisions, String[] keys, String[] names, String[] specs,
            String[] types, String[] fhirResourceTypes, String[] queries) {

        public static MappingColumns of(List<MappingDefinition> mappings) {
            int n = mappings.size();
            MappingColumns c = new MappingColumns(new Long[n], new Integer[n], new String[n], new String[n],
                    new String[n], new String[n], new String[n], new String[n]);
            for (int i = 0; i < n; i++) {
                MappingDefinition m = mappings.get(i);
                c.ids[i] = m.id();
                c.revisions[i] = m.revision();
                c.keys[i] = m.key();
                c.names[i] = m.name();
                c.specs[i] = m.spec();
                c.types[i] = m.type();
                c.fhirResourceTypes[i] = m.resourceType();
                c.queries[i] = m.query();
            }
            return c;
        }
    }

    /**
     * Marks outdated the active instances of a requested mapping that belong to an older revision.
     *
     * @return how many, by mapping id
     */
    public Uni<Map<Long, Integer>> markOutdated(SqlConnection connection, String projectKey,
            MappingColumns mappings) {
        return connection.preparedQuery("""
                with changed as (
                    update instance i set status = 'outdated', updated_at = now()
                    from unnest($2::bigint[], $3::int[]) as m(mapping_id, revision)
                    where i.project_key = $1 and i.mapping_id = m.mapping_id and i.mapping_revision < m.revision
                      and i.status not in %s
                    returning i.mapping_id
                )
                select mapping_id, count(*) as n from changed group by mapping_id
                """.formatted(INACTIVE)).execute(Tuple.of(projectKey, mappings.ids(), mappings.revisions()))
                .map(InstanceRepository::byMapping);
    }

    /**
     * Marks deleted the active instances whose mapping is no longer requested or whose MRN was removed, keeping
     * the status they had in {@code deleted_from_status} (a completed one can be restored, see
     * {@link #restoreDeleted}).
     *
     * @return how many, by mapping id
     */
    public Uni<Map<Long, Integer>> markDeleted(SqlConnection connection, String projectKey,
            MappingColumns mappings) {
        return connection.preparedQuery("""
                with changed as (
                    update instance i set status = 'deleted', deleted_from_status = i.status, updated_at = now()
                    from mrn m
                    where m.id = i.mrn_id and i.project_key = $1 and i.status not in %s
                      and (not m.active or i.mapping_id <> all($2::bigint[]))
                    returning i.mapping_id
                )
                select mapping_id, count(*) as n from changed group by mapping_id
                """.formatted(INACTIVE)).execute(Tuple.of(projectKey, mappings.ids()))
                .map(InstanceRepository::byMapping);
    }

    /**
     * Restores as completed (same payload) the deleted instances that were completed when deleted, whose MRN is
     * active again and whose mapping id and revision are requested, where no active instance of that revision (or
     * a newer one) exists: a re-added MRN is not downloaded again. One per MRN x mapping, the latest.
     *
     * @return how many, by mapping id
     */
    public Uni<Map<Long, Integer>> restoreDeleted(SqlConnection connection, String projectKey,
            MappingColumns mappings) {
        return connection.preparedQuery("""
                with restorable as (
                    select distinct on (d.mrn_id, d.mapping_id) d.id
                    from unnest($2::bigint[], $3::int[]) as m(mapping_id, revision)
                    join instance d on d.project_key = $1 and d.mapping_id = m.mapping_id
                                   and d.mapping_revision = m.revision and d.status = 'deleted'
                                   and d.deleted_from_status = 'completed'
                    join mrn r on r.id = d.mrn_id and r.active
                    where not exists (select 1 from instance i
                                      where i.mrn_id = d.mrn_id and i.mapping_id = d.mapping_id
                                        and i.mapping_revision >= d.mapping_revision and i.status not in %s)
                    order by d.mrn_id, d.mapping_id, d.id desc
                ), restored as (
                    update instance i set status = 'completed', deleted_from_status = null, updated_at = now()
                    from restorable x
                    where i.id = x.id
                    returning i.mapping_id
                )
                select mapping_id, count(*) as n from restored group by mapping_id
                """.formatted(INACTIVE)).execute(Tuple.of(projectKey, mappings.ids(), mappings.revisions()))
                .map(InstanceRepository::byMapping);
    }

    /**
     * For the requested mappings whose query another requested mapping shares: creates the missing instances of an
     * active MRN directly as completed, reusing the payload, fetch date, pagination and warnings of the same MRN's
     * completed instance of the other mapping (an identical mapping is not downloaded again). The caller passes
     * only the mappings that share a query, so a reconcile without duplicates never runs this statement.
     *
     * @return how many, by mapping id
     */
    public Uni<Map<Long, Integer>> createFromIdentical(SqlConnection connection, String projectKey,
            MappingColumns shared, Long[] allRequestedIds) {
        Tuple params = Tuple.tuple().addString(projectKey).addArrayOfLong(shared.ids())
                .addArrayOfInteger(shared.revisions()).addArrayOfString(shared.keys())
                .addArrayOfString(shared.names()).addArrayOfString(shared.specs())
                .addArrayOfString(shared.types()).addArrayOfString(shared.fhirResourceTypes())
                .addArrayOfString(shared.queries()).addArrayOfLong(allRequestedIds);
        return connection.preparedQuery("""
                with inserted as (
                    insert into instance (project_key, mrn_id, mapping_id, mapping_revision, mapping_key,
                                          resource_name, resource_spec, resource_type, fhir_resource_type, query,
                                          status, payload_ref, fetched_at, pagination, warnings)
                    select distinct on (r.id, m.mapping_id)
                           $1, r.id, m.mapping_id, m.revision, m.mapping_key, m.name, m.spec, m.type, m.fhir_type,
                           m.query, 'completed', s.payload_ref, s.fetched_at, s.pagination, s.warnings
                    from mrn r
                    cross join unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::text[], $9::text[])
                               as m(mapping_id, revision, mapping_key, name, spec, type, fhir_type, query)
                    join instance s on s.mrn_id = r.id and s.status = 'completed' and s.query = m.query
                                   and s.fhir_resource_type = m.fhir_type and s.mapping_id <> m.mapping_id
                                   and s.mapping_id = any($10::bigint[])
                    where r.project_key = $1 and r.active
                      and not exists (select 1 from instance i
                                      where i.mrn_id = r.id and i.mapping_id = m.mapping_id
                                        and i.mapping_revision >= m.revision and i.status not in %s)
                    order by r.id, m.mapping_id, s.fetched_at desc nulls last, s.id desc
                    on conflict do nothing
                    returning mapping_id
                )
                select mapping_id, count(*) as n from inserted group by mapping_id
                """.formatted(INACTIVE)).execute(params).map(InstanceRepository::byMapping);
    }

    /**
     * Creates a pending instance for every active MRN x requested mapping that has no active instance of that
     * revision (or a newer one: a late, stale reconcile never brings an old revision back).
     */
    public Uni<Map<Long, Integer>> createMissing(SqlConnection connection, String projectKey,
            MappingColumns mappings) {
        Tuple params = Tuple.tuple().addString(projectKey).addArrayOfLong(mappings.ids())
                .addArrayOfInteger(mappings.revisions()).addArrayOfString(mappings.keys())
                .addArrayOfString(mappings.names()).addArrayOfString(mappings.specs())
                .addArrayOfString(mappings.types()).addArrayOfString(mappings.fhirResourceTypes())
                .addArrayOfString(mappings.queries());
        return connection.preparedQuery("""
                with inserted as (
                    insert into instance (project_key, mrn_id, mapping_id, mapping_revision, mapping_key,
                                          resource_name, resource_spec, resource_type, fhir_resource_type, query,
                                          status)
                    select $1, r.id, m.mapping_id, m.revision, m.mapping_key, m.name, m.spec, m.type, m.fhir_type,
                           m.query, 'pending'
                    from mrn r
                    cross join unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::text[], $9::text[])
                               as m(mapping_id, revision, mapping_key, name, spec, type, fhir_type, query)
                    where r.project_key = $1 and r.active
                      and not exists (select 1 from instance i
                                      where i.mrn_id = r.id and i.mapping_id = m.mapping_id
                                        and i.mapping_revision >= m.revision and i.status not in %s)
                    order by r.id, m.mapping_id
                    on conflict do nothing
                    returning mapping_id
                )
                select mapping_id, count(*) as n from inserted group by mapping_id
                """.formatted(INACTIVE)).execute(params).map(InstanceRepository::byMapping);
    }

    /**
     * Returns to pending (unpublished) the instances whose claim expired (a worker died holding them): those of
     * one project, or of every project when {@code projectKey} is null. The one statement that expires leases,
     * used by the sweep ({@link org.fhirsnapshot.mrn.SweepService}) and by reconcile.
     */
    public Uni<List<InstanceStatusChange>> requeueExpiredLeases(SqlClient client, String projectKey) {
        return client.preparedQuery("""
                update instance set status = 'pending', claim_token = null, claimed_by = null, lease_until = null,
                                    published_at = null, updated_at = now()
                where status = 'fetching' and lease_until < now() and ($1::text is null or project_key = $1::text)
                returning id, project_key, mapping_id, updated_at, protected, error_class
                """).execute(Tuple.of(projectKey)).map(rows -> changes(rows, InstanceStatus.pending));
    }

    /**
     * Makes publishable again the pending instances published longer ago than {@code republishAfter} (their message
     * was lost or not claimed), by clearing {@code published_at}.
     *
     * @return how many, by project key
     */
    public Uni<Map<String, Integer>> resetStalePublications(Duration republishAfter) {
        return pool.preparedQuery("""
                with reset as (
                    -- Publishing is bookkeeping, not a change of the instance's state: updated_at stays.
                    update instance set published_at = null
                    where status = 'pending' and published_at <= now() - make_interval(secs => $1)
                    returning project_key
                )
                select project_key, count(*) as n from reset group by project_key
                """).execute(Tuple.of(republishAfter.toMillis() / 1000.0)).map(rows -> {
            Map<String, Integer> counts = new HashMap<>();
            rows.forEach(row -> counts.put(row.getString("project_key"), row.getLong("n").intValue()));
            return counts;
        });
    }

    /** Marks deleted the active instances of one MRN (it was removed), inside the caller's transaction. */
    public Uni<List<InstanceStatusChange>> deleteOfMrn(SqlConnection connection, long mrnId) {
        return connection.preparedQuery("""
                update instance set status = 'deleted', deleted_from_status = status, updated_at = now()
                where mrn_id = $1 and status not in %s
                returning id, project_key, mapping_id, updated_at, protected, error_class
                """.formatted(INACTIVE)).execute(Tuple.of(mrnId))
                .map(rows -> changes(rows, InstanceStatus.deleted));
    }

    /**
     * Failed instances back to pending, errors cleared, attempt kept. A null filter matches everything.
     *
     * @return how many were requeued
     */
    public Uni<Integer> retryFailed(String projectKey, String[] errorClasses, Long[] mappingIds) {
        Tuple params = Tuple.tuple().addString(projectKey).addArrayOfString(errorClasses)
                .addArrayOfLong(mappingIds);
        return pool.preparedQuery("""
                update instance set status = 'pending', published_at = null, not_before = null, error_class = null,
                                    error_message = null, protected = false, claim_token = null, claimed_by = null,
                                    lease_until = null, updated_at = now()
                where project_key = $1 and status = 'failed'
                  and ($2::text[] is null or error_class = any($2::text[]))
                  and ($3::bigint[] is null or mapping_id = any($3::bigint[]))
                """).execute(params).map(RowSet::rowCount);
    }

    // ---------------------------------------------------------------- claim and result

    /** A claimed instance with what its status event needs. */
    public record Claim(ClaimedInstance instance, long mappingId, Instant at, boolean protectedRecord,
            String errorClass) {
    }

    /**
     * Claims the instances that are still pending, in one statement: they become fetching with a fresh claim
     * token, a lease and one more attempt. The others are left alone and absent from the answer.
     */
    public Uni<List<Claim>> claim(List<Long> instanceIds, String workerId, int leaseSeconds) {
        return pool.preparedQuery("""
                with claimed as (
                    update instance i
                    set status = 'fetching', claim_token = gen_random_uuid()::text, claimed_by = $2,
                        lease_until = now() + make_interval(secs => $3::double precision),
                        attempt = i.attempt + 1, updated_at = now()
                    where i.id = any($1::bigint[]) and i.status = 'pending'
                      and (i.not_before is null or i.not_before <= now())
                    returning i.id, i.claim_token, i.project_key, i.mrn_id, i.mapping_id, i.fhir_resource_type,
                              i.query, i.attempt, i.updated_at, i.protected, i.error_class
                )
                select c.*, m.mrn, m.fhir_patient_id, p.fhir_system_id
                from claimed c
                join mrn m on m.id = c.mrn_id
                left join project p on p.project_key = c.project_key
                order by c.id
                """).execute(Tuple.of(instanceIds.toArray(new Long[0]), workerId, leaseSeconds)).map(rows -> {
            List<Claim> claims = new ArrayList<>(rows.rowCount());
            for (Row row : rows) {
                Long systemId = row.getLong("fhir_system_id");
                ClaimedInstance claimed = new ClaimedInstance(row.getLong("id"), row.getString("claim_token"),
                        row.getString("project_key"), systemId == null ? 0 : systemId, row.getLong("mrn_id"),
                        row.getString("mrn"), row.getString("fhir_patient_id"), row.getString("fhir_resource_type"),
                        row.getString("query"), row.getInteger("attempt"));
                claims.add(new Claim(claimed, row.getLong("mapping_id"), instant(row, "updated_at"),
                        row.getBoolean("protected"), row.getString("error_class")));
            }
            return claims;
        });
    }

    /**
     * Gives claims back (a worker shutting down, issue 8), in one statement: an instance still fetching under the
     * named claim token goes back to pending, unclaimed and unpublished (so the windowed publisher sends it again on
     * its next run), with the attempt its claim counted given back (the fetch was not tried to its end). A token
     * that no longer matches (a result applied, the lease expired and the instance re-claimed, outdated, deleted)
     * changes nothing.
     *
     * @return the instances released, as status changes to pending
     */
    public Uni<List<InstanceStatusChange>> release(List<Long> instanceIds, List<String> claimTokens) {
        return pool.preparedQuery("""
                update instance i
                set status = 'pending', claim_token = null, claimed_by = null, lease_until = null,
                    published_at = null, attempt = greatest(i.attempt - 1, 0), updated_at = now()
                from unnest($1::bigint[], $2::text[]) as r(id, claim_token)
                where i.id = r.id and i.claim_token = r.claim_token and i.status = 'fetching'
                returning i.id, i.project_key, i.mapping_id, i.updated_at, i.protected, i.error_class
                """).execute(Tuple.of(instanceIds.toArray(new Long[0]), claimTokens.toArray(new String[0])))
                .map(rows -> changes(rows, InstanceStatus.pending));
    }

    /**
     * Applies a fetch result in one conditional statement: only while the instance is fetching under the same
     * claim token. A stale result (lease expired and re-claimed, instance outdated or deleted) or a redelivered one
     * changes nothing. The Patient id the MRN resolved to is stored on the MRN in the same statement.
     * <p>
     * Automatic retry: a failure of a transient error class ({@code fhir-snapshot.retry.transient-error-classes})
     * on an attempt before {@code retry.max-attempts} sends the instance back to {@code pending}, unpublished and
     * unclaimed, with {@code not_before = now() + backoff}: {@code initial-backoff x 2^(attempt-1)}, at most
     * {@code max-backoff}, times a random factor in [0.8, 1.2) (jitter, so that a burst of failures does not come
     * back at the same instant). The error stays in error_class/error_message for everyone to see until the next
     * result. Every other failure, and a transient one on the last attempt, is final: {@code failed}.
     * <p>
     * {@code daily_limit} (the EHR's daily quota is spent, Epic 4135) is deferred, whatever the attempt: back to
     * {@code pending} with {@code not_before} = the next midnight of {@code retry.daily-limit-reset-zone} plus a
     * random part of {@code retry.daily-limit-spread}.
     *
     * @return the change (its status is pending for a retry), or empty when the result did not apply
     */
    public Uni<Optional<InstanceStatusChange>> applyResult(FetchResult result) {
        boolean completed = result.outcome() == FetchOutcome.completed;
        Instant fetchedAt = result.fetchedAt() != null ? result.fetchedAt() : Instant.now();
        Tuple params = Tuple.tuple().addLong(result.instanceId()).addString(result.claimToken())
                .addString(completed ? InstanceStatus.completed.name() : InstanceStatus.failed.name())
                .addString(completed ? result.payloadRef() : null)
                .addOffsetDateTime(completed ? OffsetDateTime.ofInstant(fetchedAt, ZoneOffset.UTC) : null)
                .addString(toJson(result.pagination()))
                .addString(result.warnings() == null || result.warnings().isEmpty()
                        ? null
                        : toJson(result.warnings()))
                .addString(completed ? null : result.errorClass()).addString(completed ? null : result.errorMessage())
                .addBoolean(!completed && result.protectedRecord()).addString(result.fhirPatientId())
                .addArrayOfString(retry.transientErrorClasses().toArray(new String[0]))
                .addInteger(retry.maxAttempts()).addDouble(retry.initialBackoff().toMillis() / 1000.0)
                .addDouble(retry.maxBackoff().toMillis() / 1000.0).addString(retry.dailyLimitResetZone().getId())
                .addDouble(retry.dailyLimitSpread().toMillis() / 1000.0);
        return pool
                .preparedQuery(
                        """
                                with target as (
                                    select i.id,
                                           ($3::text = 'failed' and ($8::text = 'daily_limit'
                                               or ($8::text = any($12::text[]) and i.attempt < $13))) as retry,
                                           case when $8::text = 'daily_limit'
                                               then extract(epoch from ((date_trunc('day', now() at time zone $16::text)
                                                   + interval '1 day') at time zone $16::text) - now())::double precision
                                                   + random() * $17::double precision
                                               else least($14::double precision * power(2, least(greatest(i.attempt, 1) - 1, 30)), $15::double precision)
                                                   * (0.8 + random() * 0.4)
                                           end as backoff
                                    from instance i
                                    where i.id = $1 and i.claim_token = $2 and i.status = 'fetching'
                                    for update
                                ), applied as (
                                    update instance i
                                    set status = case when t.retry then 'pending' else $3::text end,
                                        payload_ref = $4, fetched_at = $5, pagination = $6::text::jsonb,
                                        warnings = $7::text::jsonb, error_class = $8, error_message = $9, protected = $10,
                                        not_before = case when t.retry then now() + make_interval(secs => t.backoff) end,
                                        claim_token = case when t.retry then null else i.claim_token end,
                                        claimed_by = case when t.retry then null else i.claimed_by end,
                                        published_at = case when t.retry then null else i.published_at end,
                                        lease_until = null, updated_at = now()
                                    from target t
                                    where i.id = t.id and i.claim_token = $2 and i.status = 'fetching'
                                    returning i.id, i.project_key, i.mrn_id, i.mapping_id, i.status, i.updated_at,
                                              i.protected, i.error_class
                                ), patient as (
                                    update mrn m set fhir_patient_id = $11::text
                                    from applied a
                                    where m.id = a.mrn_id and $11::text is not null and m.fhir_patient_id is distinct from $11::text
                                )
                                select id, project_key, mapping_id, status, updated_at, protected, error_class
                                from applied
                                """)
                .execute(params).map(rows -> {
                    List<InstanceStatusChange> changes = map(rows, row -> new InstanceStatusChange(
                            row.getString("project_key"), row.getLong("id"), row.getLong("mapping_id"),
                            InstanceStatus.parse(row.getString("status")).orElseThrow(), instant(row, "updated_at"),
                            row.getBoolean("protected"), row.getString("error_class")));
                    return changes.isEmpty() ? Optional.empty() : Optional.of(changes.get(0));
                });
    }

    // ---------------------------------------------------------------- windowed publishing (flow 4)

    /** What one publisher run marked published. */
    public record Published(List<PendingResource> messages, int projects) {
    }

    /** A pending-resource message to send and the traceparent of the reconcile that created its instance (or null). */
    public record Publication(PendingResource message, String traceparent) {
    }

    /**
     * Picks the next pending instances to publish and marks them published, in one transaction that at most one
     * replica runs at a time (an advisory lock; a replica that does not get it skips this run). Per project,
     * in flight = fetching + pending published less than {@code republishAfter} ago; it gets up to
     * {@code window - inFlight} of its pending instances that were never published or were published longer
     * ago than {@code republishAfter}, in id order. Projects take turns (round-robin) within {@code maxPerRun}.
     *
     * @return the messages to send, in turn order
     */
    public Uni<List<Publication>> markNextPublished(int window, Duration republishAfter, int maxPerRun) {
        double republishSeconds = republishAfter.toMillis() / 1000.0;
        return pool.withTransaction(connection -> connection.query(
                "select pg_try_advisory_xact_lock(" + PUBLISHER_LOCK + ") as locked").execute()
                .chain(lock -> {
                    if (!lock.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(List.<Publication>of());
                    }
                    return connection.preparedQuery("""
                            with candidate as (
                                select c.id, c.project_key,
                                       row_number() over (partition by c.project_key order by c.id) as turn
                                from project p
                                cross join lateral (
                                    select (select count(*) from instance f
                                            where f.project_key = p.project_key and f.status = 'fetching')
                                         + (select count(*) from instance q
                                            where q.project_key = p.project_key and q.status = 'pending'
                                              and q.published_at > now() - make_interval(secs => $2))
                                           as in_flight
                                ) w
                                cross join lateral (
                                    select i.id, i.project_key from instance i
                                    where i.project_key = p.project_key and i.status = 'pending'
                                      and (i.published_at is null
                                           or i.published_at <= now() - make_interval(secs => $2))
                                      and (i.not_before is null or i.not_before <= now())
                                    order by i.id
                                    limit greatest($1 - w.in_flight, 0)
                                ) c
                            ), picked as (
                                select id, turn from candidate order by turn, project_key, id limit $3
                            )
                            -- Publishing is bookkeeping, not a change of the instance's state: updated_at stays.
                            update instance i set published_at = now()
                            from picked
                            where i.id = picked.id and i.status = 'pending'
                            returning i.id, i.project_key, i.attempt, picked.turn, i.traceparent
                            """).execute(Tuple.of(window, republishSeconds, maxPerRun)).map(rows -> {
                        List<Row> picked = new ArrayList<>(rows.rowCount());
                        rows.forEach(picked::add);
                        picked.sort((a, b) -> {
                            int byTurn = Long.compare(a.getLong("turn"), b.getLong("turn"));
                            return byTurn != 0
                                    ? byTurn
                                    : a.getString("project_key").compareTo(b.getString("project_key"));
                        });
                        // The message names the attempt it is for: the claim will make it attempt + 1.
                        return picked.stream().map(row -> new Publication(PendingResource.of(row.getLong("id"),
                                row.getString("project_key"), row.getInteger("attempt") + 1),
                                row.getString("traceparent"))).toList();
                    });
                }));
    }

    // ---------------------------------------------------------------- reads

    /** Counts of a project's instances. */
    public record Counts(Map<InstanceStatus, Long> byStatus, long protectedActive, List<MappingCounts> byMapping) {
    }

    /** Counts of one mapping's active instances. */
    public record MappingCounts(long mappingId, String name, long pending, long fetching, long completed,
            long failed) {
    }

    /**
     * One scan of the project's instances, grouped finely (a few rows per mapping revision), summed here: at
     * 1,000,000 instances a quarter of a second, where a per-mapping {@code array_agg} for the names took a second.
     */
    public Uni<Counts> counts(String projectKey) {
        return pool.preparedQuery("""
                select mapping_id, mapping_revision, resource_name, status, protected, count(*) as n
                from instance where project_key = $1
                group by mapping_id, mapping_revision, resource_name, status, protected
                """).execute(Tuple.of(projectKey)).map(InstanceRepository::sumCounts);
    }

    /** The byStatus, protected and per-mapping sums of {@link #counts}' groups; a mapping is named by its newest revision. */
    private static Counts sumCounts(RowSet<Row> rows) {
        Map<InstanceStatus, Long> byStatus = new EnumMap<>(InstanceStatus.class);
        for (InstanceStatus status : InstanceStatus.values()) {
            byStatus.put(status, 0L);
        }
        long protectedActive = 0;
        Map<Long, long[]> perMapping = new TreeMap<>(); // pending, fetching, completed, failed, newest revision
        Map<Long, String> names = new HashMap<>();
        for (Row row : rows) {
            Optional<InstanceStatus> parsed = InstanceStatus.parse(row.getString("status"));
            if (parsed.isEmpty()) {
                continue;
            }
            InstanceStatus status = parsed.get();
            long n = row.getLong("n");
            byStatus.merge(status, n, Long::sum);
            if (!status.active()) {
                continue;
            }
            if (row.getBoolean("protected")) {
                protectedActive += n;
            }
            long mappingId = row.getLong("mapping_id");
            long revision = row.getLong("mapping_revision");
            long[] sums = perMapping.computeIfAbsent(mappingId, id -> new long[]{0, 0, 0, 0, Long.MIN_VALUE});
            sums[activeColumn(status)] += n;
            if (revision > sums[4]) {
                sums[4] = revision;
                names.put(mappingId, row.getString("resource_name"));
            }
        }
        List<MappingCounts> byMapping = new ArrayList<>(perMapping.size());
        perMapping.forEach((mappingId, sums) -> byMapping.add(new MappingCounts(mappingId, names.get(mappingId),
                sums[0], sums[1], sums[2], sums[3])));
        return new Counts(byStatus, protectedActive, byMapping);
    }

    /** Where {@link #sumCounts} adds an active status up: pending, fetching, completed, failed. */
    private static int activeColumn(InstanceStatus status) {
        return switch (status) {
            case pending -> 0;
            case fetching -> 1;
            case completed -> 2;
            case failed -> 3;
            case outdated, deleted -> throw new IllegalArgumentException(status + " is not active");
        };
    }

    /** Filters of the instance list; a null filter matches everything. */
    public record InstanceFilter(String mrn, Long mappingId, InstanceStatus status) {
    }

    /** One page of instances and the total that match. */
    public record InstancePage(List<ResourceInstance> items, long total) {
    }

    private static final String INSTANCE_COLUMNS = """
            i.id, i.project_key, i.mrn_id, m.mrn, i.mapping_id, i.mapping_revision, i.mapping_key, i.resource_name,
            i.resource_spec, i.resource_type, i.fhir_resource_type, i.query, i.status, i.attempt, i.payload_ref,
            i.fetched_at, i.error_class, i.error_message, i.pagination::text as pagination,
            i.warnings::text as warnings, i.protected
            """;

    public Uni<InstancePage> page(String projectKey, InstanceFilter filter, int page, int size) {
        String where = """
                from instance i join mrn m on m.id = i.mrn_id
                where i.project_key = $1 and ($2::text is null or m.mrn = $2::text)
                  and ($3::bigint is null or i.mapping_id = $3::bigint)
                  and ($4::text is null or i.status = $4::text)
                """;
        Tuple filters = Tuple.tuple().addString(projectKey).addString(filter.mrn()).addLong(filter.mappingId())
                .addString(filter.status() == null ? null : filter.status().name());
        Uni<Long> total = pool.preparedQuery("select count(*) as n " + where).execute(filters)
                .map(rows -> rows.iterator().next().getLong("n"));
        Tuple paged = Tuple.tuple().addString(projectKey).addString(filter.mrn()).addLong(filter.mappingId())
                .addString(filter.status() == null ? null : filter.status().name()).addInteger(size)
                .addLong((long) page * size);
        Uni<List<ResourceInstance>> items = pool
                .preparedQuery("select " + INSTANCE_COLUMNS + where + " order by i.id limit $5 offset $6")
                .execute(paged).map(rows -> map(rows, this::instance));
        return Uni.combine().all().unis(items, total).with(InstancePage::new);
    }

    /** The active instances of some MRNs, by MRN then mapping. */
    public Uni<List<ResourceInstance>> activeOfMrns(List<Long> mrnIds) {
        if (mrnIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("select " + INSTANCE_COLUMNS + """
                from instance i join mrn m on m.id = i.mrn_id
                where i.mrn_id = any($1::bigint[]) and i.status not in %s
                order by i.mrn_id, i.mapping_id, i.id
                """.formatted(INACTIVE)).execute(Tuple.of(mrnIds.toArray(new Long[0])))
                .map(rows -> map(rows, this::instance));
    }

    /**
     * Completed and failed (active) instances after {@code afterId}, in id order, for archive-service to page
     * through. {@code mappings} match a mapping's id, name or key. A null filter matches everything.
     */
    public Uni<List<ArchiveEntry>> archiveEntries(String projectKey, String[] mrns, String[] mappings, long afterId,
            int limit) {
        Tuple params = Tuple.tuple().addString(projectKey).addLong(afterId).addArrayOfString(mrns)
                .addArrayOfString(mappings).addInteger(limit);
        return pool.preparedQuery("""
                select i.id, m.mrn, i.mapping_id, i.mapping_key, i.resource_name, i.fhir_resource_type, i.query,
                       i.status, i.payload_ref, i.fetched_at, i.error_class, i.error_message, i.protected,
                       coalesce((i.pagination ->> 'resources')::int, 0) as resources
                from instance i join mrn m on m.id = i.mrn_id
                where i.project_key = $1 and i.status in ('completed', 'failed') and i.id > $2
                  and ($3::text[] is null or m.mrn = any($3::text[]))
                  and ($4::text[] is null or i.mapping_id::text = any($4::text[])
                       or i.resource_name = any($4::text[]) or i.mapping_key = any($4::text[]))
                order by i.id
                limit $5
                """).execute(params).map(rows -> map(rows, row -> new ArchiveEntry(row.getLong("id"),
                row.getString("mrn"), row.getLong("mapping_id"), row.getString("mapping_key"),
                row.getString("resource_name"), row.getString("fhir_resource_type"), row.getString("query"),
                row.getString("status"), row.getString("payload_ref"), instant(row, "fetched_at"),
                row.getString("error_class"), row.getString("error_message"), row.getBoolean("protected"),
                row.getInteger("resources"))));
    }

    // ---------------------------------------------------------------- mapping

    private ResourceInstance instance(Row row) {
        return new ResourceInstance(row.getLong("id"), row.getString("project_key"), row.getLong("mrn_id"),
                row.getString("mrn"), row.getLong("mapping_id"), row.getInteger("mapping_revision"),
                row.getString("mapping_key"), row.getString("resource_name"), row.getString("resource_spec"),
                MappingType.parse(row.getString("resource_type")).orElse(null), row.getString("fhir_resource_type"),
                row.getString("query"), InstanceStatus.parse(row.getString("status")).orElseThrow(),
                row.getInteger("attempt"), row.getString("payload_ref"), instant(row, "fetched_at"),
                row.getString("error_class"), row.getString("error_message"),
                fromJson(row.getString("pagination"), new TypeReference<Pagination>() {
                }), fromJson(row.getString("warnings"), new TypeReference<List<String>>() {
                }), row.getBoolean("protected"));
    }

    private static Map<Long, Integer> byMapping(RowSet<Row> rows) {
        Map<Long, Integer> counts = new HashMap<>();
        rows.forEach(row -> counts.put(row.getLong("mapping_id"), row.getLong("n").intValue()));
        return counts;
    }

    private static List<InstanceStatusChange> changes(RowSet<Row> rows, InstanceStatus status) {
        return map(rows, row -> new InstanceStatusChange(row.getString("project_key"), row.getLong("id"),
                row.getLong("mapping_id"), status, instant(row, "updated_at"), row.getBoolean("protected"),
                row.getString("error_class")));
    }

    private static <T> List<T> map(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> list = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            list.add(mapper.apply(row));
        }
        return list;
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private <T> T fromJson(String text, TypeReference<T> type) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON column", e);
        }
    }
}
