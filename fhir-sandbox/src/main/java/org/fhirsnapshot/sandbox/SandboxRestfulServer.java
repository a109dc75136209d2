package org.fhirsnapshot.sandbox;

import java.io.Serial;
import java.util.List;
import java.util.function.Function;

import org.hl7.fhir.r4.model.AdverseEvent;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;

/** The HAPI FHIR R4 server of the sandbox: its providers, paging and Epic-like interceptors. */
final class SandboxRestfulServer extends RestfulServer {

    @Serial
    private static final long serialVersionUID = 1L;

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAXIMUM_PAGE_SIZE = 1_000;
    /** Searches whose later pages stay fetchable; the oldest are forgotten first. */
    private static final int RETAINED_SEARCHES = 2_000;

    SandboxRestfulServer(FhirContext fhirContext, SandboxCohort cohort, RequestCounters counters,
            FaultInjector faults) {
        super(fhirContext);
        setServerName("FHIR Snapshot sandbox");
        setImplementationDescription("Synthetic patients with Epic-like behaviour, for tests and the local stack");
        setDefaultResponseEncoding(EncodingEnum.JSON);
        FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(RETAINED_SEARCHES);
        paging.setDefaultPageSize(DEFAULT_PAGE_SIZE);
        paging.setMaximumPageSize(MAXIMUM_PAGE_SIZE);
        setPagingProvider(paging);
        setResourceProviders(resourceProviders(cohort));
        registerInterceptor(new EpicSearchsetInterceptor());
        registerInterceptor(new RequestCountingInterceptor(counters));
        registerInterceptor(new FaultInterceptor(faults, fhirContext));
    }

    private static List<IResourceProvider> resourceProviders(SandboxCohort cohort) {
        Function<Resource, List<CodeableConcept>> none = resource -> List.of();
        return List.of(
                new PatientProvider(cohort),
                new PatientChartProvider(Observation.class, resource -> ((Observation) resource).getCategory(),
                        cohort),
                new PatientChartProvider(Condition.class, resource -> ((Condition) resource).getCategory(), cohort),
                new PatientChartProvider(MedicationRequest.class,
                        resource -> ((MedicationRequest) resource).getCategory(), cohort),
                new PatientChartProvider(AllergyIntolerance.class, none, cohort),
                new PatientChartProvider(Encounter.class, none, cohort),
                new PatientChartProvider(Immunization.class, none, cohort),
                new PatientChartProvider(Procedure.class, none, cohort),
                new PatientChartProvider(Coverage.class, none, cohort),
                new PatientChartProvider(Device.class, none, cohort),
                new PatientChartProvider(Appointment.class, none, cohort),
                new PatientChartProvider(DocumentReference.class,
                        resource -> ((DocumentReference) resource).getCategory(), cohort),
                new PatientChartProvider(AdverseEvent.class, none, cohort));
    }
}
