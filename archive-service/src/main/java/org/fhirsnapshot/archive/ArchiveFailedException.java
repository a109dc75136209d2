package org.fhirsnapshot.archive;

import org.fhirsnapshot.problem.ProblemException;

/**
 * The service could not finish an archive it had started (a payload missing its bytes or not matching its reference,
 * mrn-service gone mid-way). Before the first byte left, the client gets this as a 500 problem; after, the response
 * is cut off. The cause is logged under the download's id, never sent.
 */
public class ArchiveFailedException extends ProblemException {

    public ArchiveFailedException(long downloadId) {
        super(500, "Archive failed", "The archive could not be completed. Try again; if it fails again, quote download "
                + downloadId + " to an operator.");
    }
}
