package org.fhirsnapshot.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Makes the FHIR endpoint misbehave as {@link FaultInjector} says: added latency, the throttle window and the rate
 * limit (429 with {@code Retry-After}), transient 503/500/429, and per patient the Epic codes 4118 (403), 4135 (429,
 * daily limit), 4113 (the first follow-up page of a search answers 400 once), 4119/4122 (a warning outcome entry).
 * Runs after {@link RequestCountingInterceptor}, so refused requests are counted too.
 */
@Interceptor
final class FaultInterceptor {

    /** After the counting interceptor's hooks (order 0). */
    private static final int AFTER_COUNTING = 100;
    private static final String GET_PAGES = "_getpages";

    private final FaultInjector faults;
    private final FhirContext fhirContext;

    FaultInterceptor(FaultInjector faults, FhirContext fhirContext) {
        this.faults = faults;
        this.fhirContext = fhirContext;
    }

    /** Answers the request itself (and returns false) when a fault applies to it. */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED, order = AFTER_COUNTING)
    public boolean injectFaults(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long latency = faults.latencyMillis();
        if (latency > 0) {
            // A slow EHR, on purpose: the servlet thread answering this request waits, as a slow server's would.
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        long windowRetryAfter = faults.throttleWindow();
        if (windowRetryAfter > 0) {
            write(response, 429, Long.toString(windowRetryAfter),
                    EpicOperationOutcomes.transientFailure(IssueType.THROTTLED, "Too many requests; slow down."));
            return false;
        }
        long retryAfter = faults.throttle();
        if (retryAfter > 0) {
            write(response, 429, Long.toString(retryAfter),
                    EpicOperationOutcomes.transientFailure(IssueType.THROTTLED, "Too many requests; slow down."));
            return false;
        }
        int transientStatus = faults.transientError();
        if (transientStatus != 0) {
            IssueType type = transientStatus == 429 ? IssueType.THROTTLED : IssueType.TRANSIENT;
            write(response, transientStatus, transientStatus == 429 ? "1" : null,
                    EpicOperationOutcomes.transientFailure(type, "Transient failure " + transientStatus + "."));
            return false;
        }
        String code = faults.epicCodeOf(patientIdOf(request.getParameterMap()));
        if (EpicOperationOutcomes.NOT_AUTHORIZED_CODE.equals(code)) {
            write(response, 403, null, EpicOperationOutcomes.epic(IssueSeverity.ERROR, IssueType.FORBIDDEN, code));
            return false;
        }
        if (EpicOperationOutcomes.DAILY_LIMIT_CODE.equals(code)) {
            write(response, 429, null, EpicOperationOutcomes.epic(IssueSeverity.ERROR, IssueType.THROTTLED, code));
            return false;
        }
        if (faults.pagingExpired(request.getParameter(GET_PAGES))) {
            write(response, 400, null, EpicOperationOutcomes.epic(IssueSeverity.ERROR, IssueType.PROCESSING,
                    EpicOperationOutcomes.PAGING_EXPIRED_CODE));
            return false;
        }
        return true;
    }

    /** Adds the 4119/4122 warning entry to a patient's searchset and arms 4113 on its search's paging. */
    @Hook(value = Pointcut.SERVER_OUTGOING_RESPONSE, order = AFTER_COUNTING)
    public void shapeSearchset(RequestDetails request, ResponseDetails response) {
        if (!(response.getResponseResource() instanceof Bundle bundle)
                || bundle.getType() != Bundle.BundleType.SEARCHSET) {
            return;
        }
        String patientId = patientIdOf(request.getParameters());
        String code = faults.epicCodeOf(patientId);
        if (EpicOperationOutcomes.MORE_DATA_CODE.equals(code)
                || EpicOperationOutcomes.UNKNOWN_PARAMETER_CODE.equals(code)) {
            bundle.addEntry()
                    .setResource(EpicOperationOutcomes.epic(IssueSeverity.WARNING, IssueType.INFORMATIONAL, code))
                    .getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
        } else if (EpicOperationOutcomes.PAGING_EXPIRED_CODE.equals(code) && bundle.getLink(Bundle.LINK_NEXT) != null) {
            String searchId = queryParameter(bundle.getLink(Bundle.LINK_NEXT).getUrl(), GET_PAGES);
            if (searchId != null) {
                faults.armPagingExpiry(patientId, searchId);
            }
        }
    }

    /** The patient a request is about: {@code patient}, {@code subject} or {@code _id}, without {@code Patient/}. */
    static String patientIdOf(Map<String, String[]> parameters) {
        for (String name : new String[]{"patient", "subject", "_id"}) {
            String[] values = parameters.get(name);
            if (values != null && values.length > 0 && values[0] != null && !values[0].isBlank()) {
                String value = values[0];
                return value.startsWith("Patient/") ? value.substring("Patient/".length()) : value;
            }
        }
        return null;
    }

    private static String queryParameter(String url, String name) {
        int query = url.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String pair : url.substring(query + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }

    private void write(HttpServletResponse response, int status, String retryAfter, OperationOutcome outcome)
            throws IOException {
        response.setStatus(status);
        if (retryAfter != null) {
            response.setHeader("Retry-After", retryAfter);
        }
        response.setContentType("application/fhir+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream()
                .write(fhirContext.newJsonParser().encodeResourceToString(outcome).getBytes(StandardCharsets.UTF_8));
    }
}
