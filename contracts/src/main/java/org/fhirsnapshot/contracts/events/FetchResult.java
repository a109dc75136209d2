package org.fhirsnapshot.contracts.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one fetch. mrn-service applies it only while {@code claimToken} is the instance's current claim.
 * Messages never carry PHI: {@code errorMessage} and {@code warnings} are written without MRNs or clinical data.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param instanceId the resource instance id (also the Kafka key)
 * @param claimToken the token of the claim the worker held
 * @param outcome completed or failed
 * @param payloadRef the stored payload's reference ({@code sha256:<hex>}), when completed
 * @param pagination paging counts, when a search ran
 * @param errorClass the error class, when failed (not_found, protected, forbidden, server_error, ...)
 * @param errorMessage a message without PHI, when failed
 * @param protectedRecord whether the EHR withheld the record (break-the-glass)
 * @param warnings warnings the EHR returned (OperationOutcome codes and texts without PHI)
 * @param fhirPatientId the FHIR Patient id the MRN resolved to, when it did
 * @param fetchedAt when the fetch finished
 */
public record FetchResult(int schemaVersion, long instanceId, String claimToken, FetchOutcome outcome,
        String payloadRef, Pagination pagination, String errorClass, String errorMessage,
        @JsonProperty("protected") boolean protectedRecord, List<String> warnings, String fhirPatientId,
        Instant fetchedAt) {

    public static final int SCHEMA_VERSION = 1;

    public static FetchResult completed(long instanceId, String claimToken, String payloadRef, Pagination pagination,
            List<String> warnings, String fhirPatientId) {
        return new FetchResult(SCHEMA_VERSION, instanceId, claimToken, FetchOutcome.completed, payloadRef, pagination,
                null, null, false, List.copyOf(warnings), fhirPatientId, Instant.now());
    }

    public static FetchResult failed(long instanceId, String claimToken, String errorClass, String errorMessage,
            boolean protectedRecord, List<String> warnings, String fhirPatientId) {
        return new FetchResult(SCHEMA_VERSION, instanceId, claimToken, FetchOutcome.failed, null, null, errorClass,
                errorMessage, protectedRecord, List.copyOf(warnings), fhirPatientId, Instant.now());
    }
}
