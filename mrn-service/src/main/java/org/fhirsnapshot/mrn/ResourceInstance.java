package org.fhirsnapshot.mrn;

import java.time.Instant;
import java.util.List;
import org.fhirsnapshot.contracts.events.Pagination;

/**
 * One MRN x mapping revision: the PRD's repeated-form instance ({@code all_fhir_*} fields) with its fetch state.
 *
 * @param id the instance id (the Kafka key of its messages)
 * @param projectKey the project
 * @param mrnId the MRN's internal id
 * @param mrn the MRN (PHI: REST only)
 * @param mappingId the mapping resource's id
 * @param mappingRevision the mapping's revision this instance was created for
 * @param mappingKey the mapping's file-name-safe key
 * @param resourceName the mapping's display name ({@code all_fhir_resource_name})
 * @param resourceSpec the catalog key or the custom search ({@code all_fhir_resource_spec})
 * @param resourceType predefined or custom ({@code all_fhir_resource_type})
 * @param fhirResourceType the FHIR resource type searched
 * @param query the relative search without the patient parameter
 * @param status the status ({@code all_fhir_resource_status})
 * @param attempt the number of claims so far
 * @param payloadRef the stored payload ({@code all_fhir_file_upload}), when completed
 * @param fetchedAt when the payload was fetched ({@code all_fhir_fetch_date}), when completed
 * @param errorClass the error class, when failed
 * @param errorMessage the error message without PHI ({@code all_fhir_error_message}), when failed
 * @param pagination paging counts ({@code all_fhir_pagination_info}), when a search ran
 * @param warnings warnings the EHR returned
 * @param protectedRecord whether the EHR withheld the record (break-the-glass)
 */
public record ResourceInstance(long id, String projectKey, long mrnId, String mrn, long mappingId, int mappingRevision,
        String mappingKey, String resourceName, String resourceSpec, MappingType resourceType,
        String fhirResourceType, String query, InstanceStatus status, int attempt, String payloadRef,
        Instant fetchedAt, String errorClass, String errorMessage, Pagination pagination, List<String> warnings,
        boolean protectedRecord) {
}
