package org.fhirsnapshot.sync.client;

/**
 * Another service did not answer, timed out or answered with a server error: worth another attempt later. The
 * message is readable and names no class.
 */
public class DownstreamUnavailableException extends RuntimeException {

    public DownstreamUnavailableException(String message) {
        super(message, null, false, false);
    }
}
