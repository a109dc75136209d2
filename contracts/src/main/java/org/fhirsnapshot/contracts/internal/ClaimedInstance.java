package org.fhirsnapshot.contracts.internal;

/**
 * One claimed instance, with what the worker needs to fetch it. Travels over REST only (it holds the MRN).
 */
public record ClaimedInstance(long instanceId, String claimToken, String projectKey, long fhirSystemId, long mrnId,
        String mrn, String fhirPatientId, String resourceType, String query, int attempt) {
}
