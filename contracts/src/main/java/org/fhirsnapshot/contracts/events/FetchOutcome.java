package org.fhirsnapshot.contracts.events;

/** How a fetch ended. */
public enum FetchOutcome {
    completed, failed
}
