package org.fhirsnapshot.archive.rest;

import java.time.Instant;
import java.util.Map;
import org.fhirsnapshot.archive.persistence.Download;

/**
 * One download as the API shows it.
 *
 * @param downloadedBy who downloaded: the caller's name from their token ({@code preferred_username}, else
 *            {@code sub}); null for a download recorded before the API required a token
 * @param filters the filters, MRNs only as a count ({@code mrnCount})
 * @param files files in the ZIP besides the manifest
 * @param bytes bytes sent
 * @param status {@code streaming}, {@code completed}, {@code aborted} or {@code failed}
 */
public record DownloadView(long id, String projectKey, String downloadedBy, Instant startedAt, Instant finishedAt,
        Map<String, Object> filters, int files, long bytes, String status) {

    static DownloadView of(Download download) {
        return new DownloadView(download.id, download.projectKey, download.downloadedBy, download.startedAt,
                download.finishedAt,
                download.filters, download.files, download.bytes, download.status.name());
    }
}
