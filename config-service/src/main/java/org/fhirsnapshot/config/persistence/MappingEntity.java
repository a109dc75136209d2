package org.fhirsnapshot.config.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A mapping resource row. Deleting sets {@code deletedAt}; the row stays for the audit trail. */
@Entity
@Table(name = "mapping")
public class MappingEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "project_id")
    public long projectId;
    public String name;
    @Column(name = "mapping_key")
    public String key;
    public String type;
    public String spec;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "params", columnDefinition = "jsonb")
    public Map<String, String> params;
    @Column(name = "resource_type")
    public String resourceType;
    @Column(name = "search_query")
    public String query;
    public int revision;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;
}
