package org.fhirsnapshot.contracts;

/**
 * Kafka topic names. Each topic has a dead-letter topic named {@code <topic>-dlq}.
 */
public final class Topics {

    /** config-service to sync-service: a mapping resource was created, updated or deleted. Key: project key. */
    public static final String MAPPING_CHANGED = "mapping-changed";
    /** mrn-service to sync-service: MRNs were added or removed (internal ids only). Key: project key. */
    public static final String MRN_CHANGED = "mrn-changed";
    /** mrn-service to fetch-worker: an instance is ready to fetch. Key: instance id. */
    public static final String PENDING_RESOURCE = "pending-resource";
    /** fetch-worker to mrn-service: the outcome of one fetch. Key: instance id. */
    public static final String FETCH_RESULT = "fetch-result";

    public static final String DEAD_LETTER_SUFFIX = "-dlq";

    private Topics() {
    }
}
