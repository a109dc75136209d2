package org.fhirsnapshot.mrn.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.fhirsnapshot.mrn.Project;

/** The projects mrn-service has seen. */
@ApplicationScoped
public class ProjectRepository implements PanacheRepositoryBase<Project, String> {

    /** Whether mrn-service has seen the project (it added MRNs to it or reconciled it). */
    @WithSession
    public Uni<Boolean> seen(String projectKey) {
        return findById(projectKey).map(project -> project != null);
    }

    /**
     * Records the project and its FHIR system inside the caller's transaction; a no-op when nothing changed.
     *
     * @return whether a row was inserted or changed
     */
    public Uni<Boolean> record(SqlConnection connection, String projectKey, long fhirSystemId) {
        return connection.preparedQuery("""
                insert into project (project_key, fhir_system_id) values ($1, $2)
                on conflict (project_key) do update set fhir_system_id = excluded.fhir_system_id, updated_at = now()
                where project.fhir_system_id is distinct from excluded.fhir_system_id
                """).execute(Tuple.of(projectKey, fhirSystemId)).map(rows -> rows.rowCount() > 0);
    }
}
