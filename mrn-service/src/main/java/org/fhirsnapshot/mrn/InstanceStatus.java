package org.fhirsnapshot.mrn;

import java.util.Arrays;
import java.util.Optional;

/**
 * The status of a resource instance (the PRD's {@code all_fhir_resource_status}).
 * {@code pending -> fetching -> completed | failed}; {@code fetching -> pending} when a lease expires;
 * {@code failed -> pending} on retry; any of those {@code -> outdated} (mapping updated) or {@code deleted}
 * (mapping or MRN removed). Outdated and deleted instances stay as history and are no longer active.
 */
public enum InstanceStatus {
    pending, fetching, completed, failed, outdated, deleted;

    /** Whether an instance in this status still counts (it is not history). */
    public boolean active() {
        return this != outdated && this != deleted;
    }

    public static Optional<InstanceStatus> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.name().equals(value)).findFirst();
    }
}
