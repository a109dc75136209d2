package org.fhirsnapshot.sandbox;

import java.util.List;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/**
 * Patient reads and searches. Restricted patients are found and read like any other: break-the-glass guards their
 * chart, not their demographics.
 */
final class PatientProvider implements IResourceProvider {

    private final SandboxCohort cohort;

    PatientProvider(SandboxCohort cohort) {
        this.cohort = cohort;
    }

    @Override
    public Class<Patient> getResourceType() {
        return Patient.class;
    }

    @Read
    public Patient read(@IdParam IdType id) {
        return cohort.patient(id.getIdPart()).orElseThrow(() -> new ResourceNotFoundException(id));
    }

    /** {@code Patient?_id=p007}, {@code Patient?identifier=system|value} (or value alone), or every patient. */
    @Search(allowUnknownParams = true)
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenOrListParam ids,
            @OptionalParam(name = Patient.SP_IDENTIFIER) TokenOrListParam identifiers) {
        List<IBaseResource> matches = cohort.patients().stream()
                .filter(patient -> ids == null || hasId(patient, ids))
                .filter(patient -> identifiers == null || hasIdentifier(patient, identifiers))
                .map(IBaseResource.class::cast)
                .toList();
        return new SimpleBundleProvider(matches);
    }

    private static boolean hasId(Patient patient, TokenOrListParam ids) {
        String id = patient.getIdElement().getIdPart();
        return ids.getValuesAsQueryTokens().stream()
                .anyMatch(token -> id.equals(new IdType(token.getValue()).getIdPart()));
    }

    private static boolean hasIdentifier(Patient patient, TokenOrListParam identifiers) {
        return identifiers.getValuesAsQueryTokens().stream()
                .anyMatch(token -> patient.getIdentifier().stream().anyMatch(identifier -> matches(identifier, token)));
    }

    /** A token without a system matches on the value alone; with one, both must match. */
    private static boolean matches(Identifier identifier, TokenParam token) {
        boolean systemMatches = token.getSystem() == null || token.getSystem().isEmpty()
                || token.getSystem().equals(identifier.getSystem());
        return systemMatches && token.getValue() != null && token.getValue().equals(identifier.getValue());
    }
}
