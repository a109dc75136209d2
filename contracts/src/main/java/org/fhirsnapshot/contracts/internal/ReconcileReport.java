package org.fhirsnapshot.contracts.internal;

/**
 * What a reconcile changed.
 *
 * @param created new pending instances
 * @param outdated instances of an older mapping revision marked outdated
 * @param deleted instances whose mapping or MRN is gone, marked deleted
 * @param requeued instances put back to pending
 */
public record ReconcileReport(int created, int outdated, int deleted, int requeued) {
}
