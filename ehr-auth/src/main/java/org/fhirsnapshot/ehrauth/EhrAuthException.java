package org.fhirsnapshot.ehrauth;

import java.util.Objects;

/**
 * Getting a token from an EHR failed. The message says in plain words what is wrong and what to do; it never holds a
 * secret, a token, a key, or a URL with patient data (it may name the token endpoint's host). {@link #kind()} says
 * what kind of failure it was; {@link #transport()} whether the EHR was not reached at all (timeout, connection),
 * which a caller may retry differently from a refusal.
 */
public class EhrAuthException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** The FHIR system's auth settings cannot work: a field is missing, the key or algorithm is unusable. */
        CONFIGURATION(false),
        /** {@code .well-known/smart-configuration} did not give a usable token endpoint. */
        DISCOVERY(false),
        /** The token endpoint refused the request (HTTP 4xx): wrong client id, secret, key registration, scope. */
        REFUSED(false),
        /** The token endpoint failed (HTTP 5xx) or answered something that is not a token. */
        SERVER_ERROR(false),
        /** No answer in time (connect or read timeout). */
        TIMEOUT(true),
        /** The endpoint could not be reached: connection refused or reset, unknown host, TLS failure. */
        UNREACHABLE(true);

        private final boolean transport;

        Kind(boolean transport) {
            this.transport = transport;
        }

        /** Whether this kind is a transport failure (the EHR was not reached or did not answer). */
        public boolean transport() {
            return transport;
        }
    }

    private final Kind kind;
    private final Integer status;
    private final String oauthError;
    private final String oauthErrorDescription;

    public EhrAuthException(Kind kind, String message) {
        this(kind, message, null, null, null);
    }

    /**
     * @param status the HTTP status the EHR answered with, if any
     * @param oauthError the OAuth {@code error} of the answer, if any
     * @param oauthErrorDescription the OAuth {@code error_description} of the answer, if any (shortened)
     */
    public EhrAuthException(Kind kind, String message, Integer status, String oauthError,
            String oauthErrorDescription) {
        // No cause kept: a transport exception's message may carry a full URL, a key error may quote key material.
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.status = status;
        this.oauthError = oauthError;
        this.oauthErrorDescription = oauthErrorDescription;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the EHR was not reached or did not answer in time (a timeout or a connection failure). */
    public boolean transport() {
        return kind.transport();
    }

    /** Whether the failure was a timeout (the worker classifies it as {@code timeout}, not {@code auth}). */
    public boolean timeout() {
        return kind == Kind.TIMEOUT;
    }

    /** The HTTP status of the EHR's answer, or null when there was none. */
    public Integer status() {
        return status;
    }

    /** The OAuth {@code error} code of the token endpoint's answer, or null. */
    public String oauthError() {
        return oauthError;
    }

    /** The OAuth {@code error_description} of the token endpoint's answer (at most 300 characters), or null. */
    public String oauthErrorDescription() {
        return oauthErrorDescription;
    }
}
