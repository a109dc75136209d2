package org.fhirsnapshot.sync.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Body of mrn-service's {@code POST /internal/projects/{key}/retry-failed}: failed instances back to pending. A
 * missing list means "any".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetryFailedRequest(List<String> errorClasses, List<Long> mappingIds) {
}
