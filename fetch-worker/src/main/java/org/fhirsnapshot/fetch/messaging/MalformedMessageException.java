package org.fhirsnapshot.fetch.messaging;

/** A message that cannot be handled whatever happens next: it goes to the dead-letter topic. */
public class MalformedMessageException extends RuntimeException {

    public MalformedMessageException(String message) {
        super(message, null, false, false);
    }
}
