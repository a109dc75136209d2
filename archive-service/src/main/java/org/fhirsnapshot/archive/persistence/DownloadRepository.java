package org.fhirsnapshot.archive.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.fhirsnapshot.archive.DownloadStatus;

/** The download audit. */
@ApplicationScoped
public class DownloadRepository implements PanacheRepository<Download> {

    /** Records how a download ended. */
    public Uni<Integer> finish(long id, DownloadStatus status, int files, long bytes, Instant finishedAt) {
        return update("status = ?1, files = ?2, bytes = ?3, finishedAt = ?4 where id = ?5", status, files, bytes,
                finishedAt, id);
    }

    /** A project's downloads, newest first. */
    public Uni<List<Download>> page(String projectKey, int page, int size) {
        return find("projectKey", Sort.descending("startedAt", "id"), projectKey).page(Page.of(page, size)).list();
    }

    public Uni<Long> countOf(String projectKey) {
        return count("projectKey", projectKey);
    }
}
