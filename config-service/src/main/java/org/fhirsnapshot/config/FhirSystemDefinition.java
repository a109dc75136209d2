package org.fhirsnapshot.config;

/**
 * A FHIR system as an admin defines it (create or full update).
 *
 * @param name display name
 * @param baseUrl the FHIR root, as given (normalised when saved)
 * @param patientIdentifierSystem the identifier system of MRNs ({@code Patient?identifier={system}|{mrn}}); when
 *        null the MRN is the FHIR Patient id
 * @param auth how to authenticate
 * @param limits request limits
 * @param timeouts timeouts toward the system (each null one: the worker's default)
 */
public record FhirSystemDefinition(String name, String baseUrl, String patientIdentifierSystem, FhirSystemAuth auth,
        FhirSystemLimits limits, FhirSystemTimeouts timeouts) {
}
