package org.fhirsnapshot.sync.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.fhirsnapshot.sync.TaskStatus;
import org.fhirsnapshot.sync.TaskType;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A row of {@code task}, as the public API reads it. Every state change goes through {@link TaskQueueRepository}
 * (it needs {@code FOR UPDATE SKIP LOCKED} and {@code ON CONFLICT} on partial indexes), so this mapping is read-only
 * in practice.
 */
@Entity
@Table(name = "task")
public class TaskEntity {

    @Id
    public Long id;

    @Column(name = "project_key")
    public String projectKey;

    @Convert(converter = TaskTypeConverter.class)
    public TaskType type;

    @Enumerated(EnumType.STRING)
    public TaskStatus status;

    public String trigger;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "progress_done")
    public int progressDone;

    @Column(name = "progress_total")
    public int progressTotal;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> report;

    public String error;

    public int attempts;
}
