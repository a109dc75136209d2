package org.fhirsnapshot.fetch.client;

/**
 * A service the worker depends on refused a request as wrong (4xx): trying again unchanged cannot help; it points
 * at a contract mismatch between the services.
 */
public class DependencyRejectedException extends RuntimeException {

    public DependencyRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
