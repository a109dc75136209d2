package org.fhirsnapshot.sync.client;

/**
 * Another service refused a call (a 4xx other than the ones a wrapper translates): another attempt would fail the
 * same way. The message is readable and names no class.
 */
public class DownstreamRejectedException extends RuntimeException {

    public DownstreamRejectedException(String message) {
        super(message, null, false, false);
    }
}
