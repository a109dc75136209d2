package org.fhirsnapshot.config;

import ca.uhn.fhir.context.FhirContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The application's one R4 {@link FhirContext} (expensive and thread-safe: created once), used only for the names of
 * the R4 resource types, and the beans built on it.
 */
@ApplicationScoped
public class FhirModelProducers {

    @Produces
    @Singleton
    FhirContext fhirContext() {
        return FhirContext.forR4();
    }

    @Produces
    @Singleton
    PredefinedCatalog predefinedCatalog() {
        return PredefinedCatalog.r4();
    }

    @Produces
    @Singleton
    MappingSpecParser mappingSpecParser(FhirContext fhirContext, PredefinedCatalog catalog) {
        return new MappingSpecParser(catalog, fhirContext.getResourceTypes());
    }
}
