package org.fhirsnapshot.mrn.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.fhirsnapshot.mrn.Mrn;

/**
 * MRNs: entity reads through Panache; the bulk add and the removal are set-based SQL run inside the caller's
 * transaction, so that the outbox row of the change commits with it.
 */
@ApplicationScoped
public class MrnRepository implements PanacheRepository<Mrn> {

    /** A page of a project's active MRNs, ordered by MRN. */
    @WithSession
    public Uni<List<Mrn>> activePage(String projectKey, int page, int size) {
        return find("projectKey = ?1 and active = true", Sort.by("mrn"), projectKey).page(Page.of(page, size))
                .list();
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
