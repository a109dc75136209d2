package org.fhirsnapshot.archive.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.fhirsnapshot.archive.DownloadStatus;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One archive download, as the audit keeps it. */
@Entity
@Table(name = "download")
public class Download {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "project_key", nullable = false)
    public String projectKey;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** Who downloaded: the caller's name from the token (null for downloads recorded before tokens were needed). */
    @Column(name = "downloaded_by")
    public String downloadedBy;

    /** The filters without MRNs: {@code format}, {@code mrnCount}, {@code mapping}, fetch-time bounds. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "filters", nullable = false)
    public Map<String, Object> filters;

    /** Files in the ZIP besides the manifest. */
    @Column(name = "files", nullable = false)
    public int files;

    /** Bytes sent to the client. */
    @Column(name = "bytes", nullable = false)
    public long bytes;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false)
    public DownloadStatus status;
}
