package org.fhirsnapshot.sync;

/**
 * Where a task is: {@code pending → running → completed | failed}; {@code running → pending} when a downstream call
 * failed and attempts remain, or when the replica running it stopped.
 */
public enum TaskStatus {
    pending, running, completed, failed
}
