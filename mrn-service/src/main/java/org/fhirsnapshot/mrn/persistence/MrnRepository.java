package org.fhirsnapshot.mrn.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.fhirsnapshot.mrn.InstanceStatus;
import org.fhirsnapshot.mrn.Mrn;

/**
 * MRNs: entity reads through Panache; the bulk add and the removal are set-based SQL run inside the caller's
 * transaction, so that the outbox row of the change commits with it; the grid's filtered pages are SQL on the pool.
 */
@ApplicationScoped
public class MrnRepository implements PanacheRepository<Mrn> {

    /** Above this byte every character an MRN may hold sorts lower ({@code ~}, 0x7E, is above {@code z}). */
    private static final String ABOVE_EVERY_MRN_CHARACTER = "~";

    private final Pool pool;

    public MrnRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * What the grid filters a project's active MRNs by; a null (or false) filter matches everything. The instance
     * filters describe one instance together: an MRN matches when one of its instances has the status, is
     * protected and belongs to the mapping, as far as each is asked for. That instance is active (a cell of the
     * grid) unless the status asked for is a history one ({@code outdated}, {@code deleted}).
     *
     * @param mrnPrefix the MRN starts with this (exact case)
     * @param status an instance in this status
     * @param protectedOnly a protected instance
     * @param mappingId an instance of this mapping
     */
    public record GridFilter(String mrnPrefix, InstanceStatus status, boolean protectedOnly, Long mappingId) {

        boolean filtersInstances() {
            return status != null || protectedOnly || mappingId != null;
        }
    }

    /** One active MRN of a grid page. */
    public record GridRow(long id, String mrn, String fhirPatientId) {
    }

    /** A grid page: its rows, whether more follow, and how many active MRNs match in all. */
    public record GridPage(List<GridRow> rows, boolean more, long total) {
    }

    /**
     * A page of a project's active MRNs in byte order, filtered: {@code size} of them after {@code offset} matches,
     * or, with {@code after} (keyset paging), the first {@code size} greater than {@code after} (then
     * {@code offset} is 0). The page and the count are index scans of the active MRNs in order (see V4), each MRN
     * probing its instances' index when instances are filtered; the statement holds only the predicates asked
     * for, so every plan is made for the filters at hand.
     */
    public Uni<GridPage> gridPage(String projectKey, GridFilter filter, String after, int offset, int size) {
        Tuple params = Tuple.tuple().addString(projectKey);
        String where = gridWhere(filter, params);
        Uni<Long> total = pool.preparedQuery("select count(*) as n from mrn m " + where).execute(params)
                .map(rows -> rows.iterator().next().getLong("n"));
        Tuple pageParams = Tuple.tuple().addString(projectKey);
        StringBuilder pageWhere = new StringBuilder(gridWhere(filter, pageParams));
        if (after != null) {
            pageParams.addString(after);
            pageWhere.append(" and m.mrn collate \"C\" > $").append(pageParams.size()).append("::text");
        }
        pageParams.addInteger(size + 1).addInteger(offset);
        String sql = "select m.id, m.mrn, m.fhir_patient_id from mrn m " + pageWhere + " order by m.mrn collate \"C\""
                + " limit $" + (pageParams.size() - 1) + " offset $" + pageParams.size();
        Uni<List<GridRow>> rows = pool.preparedQuery(sql).execute(pageParams).map(result -> {
            List<GridRow> list = new ArrayList<>(result.rowCount());
            for (Row row : result) {
                list.add(new GridRow(row.getLong("id"), row.getString("mrn"), row.getString("fhir_patient_id")));
            }
            return list;
        });
        return Uni.combine().all().unis(rows, total).with((list, n) -> list.size() > size
                ? new GridPage(list.subList(0, size), true, n)
                : new GridPage(list, false, n));
    }

    /** The where clause of a grid query, adding its parameters (after the project key, $1) to {@code params}. */
    private static String gridWhere(GridFilter filter, Tuple params) {
        StringBuilder where = new StringBuilder("where m.project_key = $1 and m.active");
        if (filter.mrnPrefix() != null) {
            params.addString(filter.mrnPrefix()).addString(filter.mrnPrefix() + ABOVE_EVERY_MRN_CHARACTER);
            where.append(" and m.mrn collate \"C\" >= $").append(params.size() - 1).append("::text")
                    .append(" and m.mrn collate \"C\" < $").append(params.size()).append("::text");
        }
        if (filter.filtersInstances()) {
            where.append(" and exists (select 1 from instance i where i.mrn_id = m.id");
            if (filter.status() != null) {
                params.addString(filter.status().name());
                where.append(" and i.status = $").append(params.size()).append("::text");
            } else {
                where.append(" and i.status not in ('outdated', 'deleted')");
            }
            if (filter.protectedOnly()) {
                where.append(" and i.protected");
            }
            if (filter.mappingId() != null) {
                params.addLong(filter.mappingId());
                where.append(" and i.mapping_id = $").append(params.size()).append("::bigint");
            }
            where.append(")");
        }
        return where.toString();
    }

    @WithSession
    public Uni<Long> countActive(String projectKey) {
        return count("projectKey = ?1 and active = true", projectKey);
    }

    /**
     * Adds MRNs in one statement: new ones are inserted, removed ones re-activated, active ones left alone.
     *
     * @return the ids of the MRNs inserted or re-activated
     */
    public Uni<List<Long>> addAll(SqlConnection connection, String projectKey, List<String> mrns) {
        return connection.preparedQuery("""
                insert into mrn (project_key, mrn)
                select $1, value from unnest($2::text[]) as input(value)
                on conflict (project_key, mrn) do update set active = true, removed_at = null, added_at = now()
                where mrn.active = false
                returning id
                """).execute(Tuple.of(projectKey, mrns.toArray(new String[0]))).map(rows -> {
            List<Long> ids = new ArrayList<>(rows.rowCount());
            for (Row row : rows) {
                ids.add(row.getLong("id"));
            }
            return ids;
        });
    }

    /** Marks an active MRN removed; empty when the project has no active MRN with that value. */
    public Uni<Optional<Long>> deactivate(SqlConnection connection, String projectKey, String mrn) {
        return connection.preparedQuery("""
                update mrn set active = false, removed_at = now()
                where project_key = $1 and mrn = $2 and active
                returning id
                """).execute(Tuple.of(projectKey, mrn)).map(rows -> rows.iterator().hasNext()
                ? Optional.of(rows.iterator().next().getLong("id"))
                : Optional.empty());
    }
}
