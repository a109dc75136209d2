package org.fhirsnapshot.fetch.client;

/** A service the worker depends on did not answer usefully (down, 5xx, timeout). Worth trying again later. */
public class DependencyUnavailableException extends RuntimeException {

    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
