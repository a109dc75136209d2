package org.fhirsnapshot.config;

/**
 * What a reachability check of a FHIR system found.
 *
 * @param reachable whether {@code {baseUrl}/metadata} answered with a FHIR CapabilityStatement
 * @param fhirVersion the CapabilityStatement's {@code fhirVersion}, when one came back
 * @param software the CapabilityStatement's {@code software} name and version, when given
 * @param status the HTTP status of the answer, when one came back
 * @param detail what happened, in plain words
 */
public record FhirSystemCheck(boolean reachable, String fhirVersion, String software, Integer status,
        String detail) {
}
