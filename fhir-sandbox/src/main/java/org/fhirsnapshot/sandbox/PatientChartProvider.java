package org.fhirsnapshot.sandbox;

import java.util.List;
import java.util.function.Function;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/**
 * Reads and patient searches of one resource type of the patient's chart ({@code Observation?patient=p007&category=
 * laboratory}, {@code MedicationRequest?subject=Patient/p007}). One instance per resource type. Other parameters
 * (such as Appointment's {@code service-category} or AdverseEvent's {@code study}) are accepted and do not filter:
 * the types that have them hold no data here.
 */
final class PatientChartProvider implements IResourceProvider {

    private final Class<? extends Resource> resourceType;
    private final String resourceTypeName;
    private final Function<Resource, List<CodeableConcept>> categoriesOf;
    private final SandboxCohort cohort;

    /**
     * @param resourceType the type served
     * @param categoriesOf the resource's categories, which {@code category=} matches; empty for a type without them
     * @param cohort the data
     */
    PatientChartProvider(Class<? extends Resource> resourceType, Function<Resource, List<CodeableConcept>> categoriesOf,
            SandboxCohort cohort) {
        this.resourceType = resourceType;
        this.resourceTypeName = resourceType.getSimpleName();
        this.categoriesOf = categoriesOf;
        this.cohort = cohort;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
        return resourceType;
    }

    @Read
    public Resource read(@IdParam IdType id) {
        Resource resource = cohort.resource(resourceTypeName, id.getIdPart())
                .orElseThrow(() -> new ResourceNotFoundException(id));
        cohort.patientIdOf(resourceTypeName, id.getIdPart()).ifPresent(this::refuseRestricted);
        return resource;
    }

    @Search(allowUnknownParams = true)
    public IBundleProvider search(
            @OptionalParam(name = "patient") ReferenceParam patient,
            @OptionalParam(name = "subject") ReferenceParam subject,
            @OptionalParam(name = "category") TokenOrListParam categories) {
        ReferenceParam reference = patient != null ? patient : subject;
        if (reference == null) {
            throw new InvalidRequestException(
                    "Searching " + resourceTypeName + " needs a patient (or subject) parameter");
        }
        String referencedType = reference.getResourceType();
        if (referencedType != null && !referencedType.isEmpty() && !"Patient".equals(referencedType)) {
            return new SimpleBundleProvider(List.of());
        }
        String patientId = reference.getIdPart();
        refuseRestricted(patientId);
        List<IBaseResource> matches = cohort.chart(patientId, resourceTypeName).stream()
                .filter(resource -> categories == null || hasCategory(resource, categories))
                .map(IBaseResource.class::cast)
                .toList();
        return new SimpleBundleProvider(matches);
    }

    private void refuseRestricted(String patientId) {
        if (cohort.isRestricted(patientId)) {
            throw new ForbiddenOperationException(EpicOperationOutcomes.BREAK_THE_GLASS_TEXT,
                    EpicOperationOutcomes.breakTheGlassRequired());
        }
    }

    private boolean hasCategory(Resource resource, TokenOrListParam categories) {
        List<CodeableConcept> resourceCategories = categoriesOf.apply(resource);
        return categories.getValuesAsQueryTokens().stream()
                .anyMatch(token -> resourceCategories.stream()
                        .flatMap(category -> category.getCoding().stream())
                        .anyMatch(coding -> matches(coding.getSystem(), coding.getCode(), token)));
    }

    private static boolean matches(String system, String code, TokenParam token) {
        boolean systemMatches = token.getSystem() == null || token.getSystem().isEmpty()
                || token.getSystem().equals(system);
        return systemMatches && token.getValue() != null && token.getValue().equals(code);
    }
}
