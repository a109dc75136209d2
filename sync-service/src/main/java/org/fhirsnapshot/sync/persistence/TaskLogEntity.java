package org.fhirsnapshot.sync.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code task_log}: one line of a task's history, without PHI. */
@Entity
@Table(name = "task_log")
public class TaskLogEntity {

    @Id
    public Long id;

    @Column(name = "task_id")
    public long taskId;

    public Instant at;

    public String message;
}
