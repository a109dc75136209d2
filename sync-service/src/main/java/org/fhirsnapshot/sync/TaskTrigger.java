package org.fhirsnapshot.sync;

/** Why a task was opened: stored in {@code task.trigger}. */
public final class TaskTrigger {

    public static final String MAPPING_CHANGED = "mapping-changed";
    public static final String MRN_CHANGED = "mrn-changed";
    public static final String MANUAL = "manual";
    /** A scheduled job (the sweeper). */
    public static final String SCHEDULE = "schedule";

    private TaskTrigger() {
    }
}
