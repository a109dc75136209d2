package org.fhirsnapshot.archive;

/** Where a download stands. */
public enum DownloadStatus {

    /** The ZIP is being streamed (or the service stopped while it was). */
    streaming,

    /** The whole ZIP, manifest and central directory included, was handed to the client. */
    completed,

    /** The client went away before the end. */
    aborted,

    /** The service could not finish the ZIP (the client got a truncated, unreadable file). */
    failed
}
