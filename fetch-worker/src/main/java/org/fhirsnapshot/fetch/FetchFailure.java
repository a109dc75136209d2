package org.fhirsnapshot.fetch;

/**
 * A fetch that ended in a known way other than success. Its message is written for a person and never holds an
 * MRN, a Patient search URL, a token or clinical data; it carries no stack trace because it is an outcome, not a
 * bug.
 */
public class FetchFailure extends RuntimeException {

    private final ErrorClass errorClass;
    private final boolean protectedRecord;

    public FetchFailure(ErrorClass errorClass, String message) {
        this(errorClass, message, false);
    }

    public FetchFailure(ErrorClass errorClass, String message, boolean protectedRecord) {
        super(message, null, false, false);
        this.errorClass = errorClass;
        this.protectedRecord = protectedRecord;
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    /** Whether the EHR withheld the record (break-the-glass). */
    public boolean protectedRecord() {
        return protectedRecord;
    }
}
