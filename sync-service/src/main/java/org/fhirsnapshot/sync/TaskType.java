package org.fhirsnapshot.sync;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a task does. The wire and database value is {@link #value()}. */
public enum TaskType {

    /** Reconcile a project's instances after a mapping or MRN change (opened by the consumers). */
    SYNC("sync"),
    /** Reconcile on request, reporting what it did (manual). */
    FULL_SYNC("full-sync"),
    /** Put failed instances back to pending (manual). */
    RETRY_FAILED("retry-failed"),
    /** Recover stuck instances (scheduled). */
    SWEEP("sweep");

    /** The types a user may request through the public API. */
    public static final List<TaskType> MANUAL = List.of(FULL_SYNC, RETRY_FAILED);

    private final String value;

    TaskType(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    public static Optional<TaskType> of(String value) {
        return Arrays.stream(values()).filter(type -> type.value.equals(value)).findFirst();
    }

    /** Like {@link #of(String)}, for values read back from the database. */
    public static TaskType fromDatabase(String value) {
        return of(value).orElseThrow(() -> new IllegalStateException("unknown task type in the database: " + value));
    }

    @Override
    public String toString() {
        return value;
    }
}
