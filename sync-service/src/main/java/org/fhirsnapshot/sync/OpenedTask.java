package org.fhirsnapshot.sync;

/**
 * The pending task a request or an event ended up in.
 *
 * @param id the task id
 * @param joined whether it joined a task that was already pending (else it opened a new one)
 */
public record OpenedTask(long id, boolean joined) {
}
