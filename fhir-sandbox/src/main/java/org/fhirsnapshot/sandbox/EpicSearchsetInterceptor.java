package org.fhirsnapshot.sandbox;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.ResponseDetails;

/**
 * Shapes every outgoing searchset page as Epic does, first pages and pages fetched through {@code next} links
 * alike: each result entry says {@code search.mode = match}, and a page without any match carries an
 * {@code outcome} entry with the 4101 "no results" OperationOutcome. {@code Bundle.total} is left alone, so the
 * outcome entry never counts as a match.
 */
@Interceptor
final class EpicSearchsetInterceptor {

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void shapeSearchset(ResponseDetails response) {
        if (!(response.getResponseResource() instanceof Bundle bundle)
                || bundle.getType() != Bundle.BundleType.SEARCHSET) {
            return;
        }
        for (BundleEntryComponent entry : bundle.getEntry()) {
            if (!entry.getSearch().hasMode()) {
                entry.getSearch().setMode(SearchEntryMode.MATCH);
            }
        }
        if (bundle.getEntry().stream().noneMatch(entry -> entry.getSearch().getMode() == SearchEntryMode.MATCH)) {
            bundle.addEntry()
                    .setResource(EpicOperationOutcomes.noResults())
                    .getSearch().setMode(SearchEntryMode.OUTCOME);
        }
    }
}
