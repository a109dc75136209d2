package org.fhirsnapshot.mrn;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * A project as mrn-service has seen it: recorded when MRNs are first added and by every reconcile (which also
 * records its FHIR system). Only config-service decides whether a project exists; this row lets mrn-service answer
 * for a project it already serves without asking.
 */
@Entity
@Table(name = "project")
public class Project {

    @Id
    @Column(name = "project_key")
    public String key;

    @Column(name = "fhir_system_id")
    public Long fhirSystemId;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
