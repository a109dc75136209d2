package org.fhirsnapshot.mrn.rest;

import java.util.List;

/** Which failed instances to retry; an absent or empty filter matches all. */
public record RetryFailedRequest(List<String> errorClasses, List<Long> mappingIds) {
}
