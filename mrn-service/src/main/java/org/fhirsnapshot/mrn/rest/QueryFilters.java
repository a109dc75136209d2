package org.fhirsnapshot.mrn.rest;

import org.fhirsnapshot.mrn.InstanceStatus;
import org.fhirsnapshot.mrn.MrnUpload;
import org.fhirsnapshot.problem.ProblemException;

/**
 * The list filters the public API shares, read from their raw query values: absent or blank is no filter; a value
 * that cannot be one is a 400 problem naming the parameter and what it takes, never repeating the value (it may be
 * an MRN).
 */
final class QueryFilters {

    static final String STATUSES = "pending, fetching, completed, failed, outdated, deleted";

    private QueryFilters() {
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** An MRN (or the start of one) in parameter {@code name}: the characters and length of an MRN. */
    static String mrn(String name, String value, String what) {
        String mrn = blankToNull(value);
        if (mrn == null) {
            return null;
        }
        String reason = MrnUpload.reasonToReject(mrn);
        if (reason != null) {
            throw ProblemException.invalid(name, what + " is " + reason + "; an MRN is 1 to " + MrnUpload.MAX_LENGTH
                    + " letters, digits, '-', '.' or '_'.");
        }
        return mrn;
    }

    static Long mappingId(String mapping) {
        String value = blankToNull(mapping);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("mapping", "mapping is a mapping id: a whole number.");
        }
    }

    static InstanceStatus status(String status) {
        String value = blankToNull(status);
        if (value == null) {
            return null;
        }
        return InstanceStatus.parse(value)
                .orElseThrow(() -> ProblemException.invalid("status", "status is one of " + STATUSES + "."));
    }

    /** A flag: {@code true}, or {@code false} and absent (both: no filter). */
    static boolean flag(String name, String value) {
        String flag = blankToNull(value);
        if (flag == null || flag.equals("false")) {
            return false;
        }
        if (flag.equals("true")) {
            return true;
        }
        throw ProblemException.invalid(name, name + " is true or false.");
    }
}
