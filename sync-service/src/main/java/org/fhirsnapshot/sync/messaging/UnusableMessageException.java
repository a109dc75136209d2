package org.fhirsnapshot.sync.messaging;

/** A message that could not be read or lacks what it must carry; it goes to the topic's dead-letter topic. */
public class UnusableMessageException extends RuntimeException {

    public UnusableMessageException(String topic) {
        super("unreadable or incomplete " + topic + " message", null, false, false);
    }
}
