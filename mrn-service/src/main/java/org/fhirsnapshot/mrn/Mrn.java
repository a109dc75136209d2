package org.fhirsnapshot.mrn;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * One patient of a project, by its medical record number. PHI: an MRN never leaves mrn-service except over its
 * REST API (never on Kafka, never in a log or an error detail).
 */
@Entity
@Table(name = "mrn")
public class Mrn {

    @Id
    public Long id;

    @Column(name = "project_key")
    public String projectKey;

    public String mrn;

    /** The FHIR Patient id the MRN resolved to, once a fetch resolved it. */
    @Column(name = "fhir_patient_id")
    public String fhirPatientId;

    /** False once the MRN was removed; its instances are then deleted. */
    public boolean active;

    @Column(name = "added_at")
    public OffsetDateTime addedAt;

    @Column(name = "removed_at")
    public OffsetDateTime removedAt;
}
