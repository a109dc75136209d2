package org.fhirsnapshot.fetch;

/**
 * Why a fetch failed, as {@code FetchResult.errorClass} carries it (the lower-case {@link #code()}).
 */
public enum ErrorClass {

    /** No patient carries the MRN, or the EHR answered 404/410. Permanent. */
    NOT_FOUND("not_found"),
    /** Several patients carry the MRN under the configured identifier system. Permanent. */
    AMBIGUOUS("ambiguous"),
    /** The EHR withheld the patient's record (break-the-glass). Permanent until someone breaks the glass. */
    PROTECTED("protected"),
    /** The EHR refused access (403 without break-the-glass, Epic 4118). */
    FORBIDDEN("forbidden"),
    /** The EHR refused the credentials (401), or the configured authentication cannot be used. */
    AUTH("auth"),
    /** The EHR rejected the search as invalid (400, 422). Permanent. */
    INVALID_SPEC("invalid_spec"),
    /** The EHR kept answering 429 Too Many Requests. Transient. */
    RATE_LIMITED("rate_limited"),
    /** The EHR's daily request limit for this client was reached (Epic 4135). Try again the next day. */
    DAILY_LIMIT("daily_limit"),
    /** The EHR answered 5xx (or its paging session expired twice, Epic 4113). Transient. */
    SERVER_ERROR("server_error"),
    /** The EHR did not answer in time. Transient. */
    TIMEOUT("timeout"),
    /** The EHR could not be reached (connection refused, reset, unknown host). Transient. */
    NETWORK("network"),
    /** The search went past the page or byte limit. */
    TOO_LARGE("too_large"),
    /** A next link pointed away from the FHIR system's own origin. */
    INVALID_PAGING("invalid_paging"),
    /** The EHR answered something that is not what FHIR promises (not a searchset Bundle, an odd status). */
    UNEXPECTED_RESPONSE("unexpected_response"),
    /** The project's FHIR system is not (or no longer) configured. */
    CONFIGURATION("configuration"),
    /** The payload could not be written to the payload store. Transient. */
    STORAGE("storage"),
    /** The worker failed in a way it does not know; its log says more. */
    INTERNAL("internal");

    private final String code;

    ErrorClass(String code) {
        this.code = code;
    }

    /** The value on the wire and in metrics, for example {@code not_found}. */
    public String code() {
        return code;
    }
}
