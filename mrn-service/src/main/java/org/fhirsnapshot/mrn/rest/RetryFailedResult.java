package org.fhirsnapshot.mrn.rest;

/** How many failed instances went back to pending. */
public record RetryFailedResult(int requeued) {
}
