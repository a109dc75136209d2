package org.fhirsnapshot.problem;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** What a service adds to the HTTP problems that problem-details writes for it. */
@ConfigMapping(prefix = "fhir-snapshot.http")
public interface HttpProblemConfig {

    /**
     * A sentence added to the 413 problem of a body over {@code quarkus.http.limits.max-body-size}: how to stay under
     * the limit in this service (for example "An MRN upload may carry at most 100000 MRNs: split the list."); none by
     * default.
     */
    Optional<String> bodyLimitHint();
}
