package org.fhirsnapshot.sandbox;

import org.hl7.fhir.r4.model.Bundle;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.ResponseDetails;

/** Feeds {@link RequestCounters} from the FHIR server's request lifecycle. */
@Interceptor
final class RequestCountingInterceptor {

    private final RequestCounters counters;

    RequestCountingInterceptor(RequestCounters counters) {
        this.counters = counters;
    }

    /** Every request, before HAPI looks at it, so that refused and unknown requests count too. */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
    public boolean countRequest() {
        counters.countRequest();
        return true;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void countSearch(RestOperationTypeEnum operation) {
        if (operation == RestOperationTypeEnum.SEARCH_TYPE || operation == RestOperationTypeEnum.SEARCH_SYSTEM) {
            counters.countSearch();
        }
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void countPage(ResponseDetails response) {
        if (response.getResponseResource() instanceof Bundle bundle
                && bundle.getType() == Bundle.BundleType.SEARCHSET) {
            counters.countPage();
        }
    }
}
