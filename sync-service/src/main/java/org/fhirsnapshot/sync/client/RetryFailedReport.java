package org.fhirsnapshot.sync.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What mrn-service's retry-failed did ({@code requeued} is read from whatever report it answers with). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RetryFailedReport(int requeued) {
}
