package org.fhirsnapshot.fetch.client;

/** config-service does not know the FHIR system (it was deleted after the instance was created). */
public class FhirSystemNotFoundException extends RuntimeException {

    private final long fhirSystemId;

    public FhirSystemNotFoundException(long fhirSystemId) {
        super("FHIR system " + fhirSystemId + " is not configured", null, false, false);
        this.fhirSystemId = fhirSystemId;
    }

    public long fhirSystemId() {
        return fhirSystemId;
    }
}
