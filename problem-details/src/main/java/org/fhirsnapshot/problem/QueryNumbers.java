package org.fhirsnapshot.problem;

/**
 * Numbers in query parameters, read from text rather than converted by the framework: JAX-RS answers a value it
 * cannot convert with a bare 404, and a value far out of range could overflow what is computed from it (a row
 * offset). Anything but plain ASCII digits (no sign, no spaces, no exponent) in range is a 400 problem that names the
 * parameter and its range and never repeats the value (a client may have put anything there).
 */
public final class QueryNumbers {

    /** Long.MAX_VALUE has 19 digits; more can only be out of range. */
    private static final int MAX_DIGITS = 19;

    private QueryNumbers() {
    }

    /**
     * @param name the parameter's name, as the client wrote it
     * @param raw the parameter's text, null or empty when absent
     * @param absent the value of an absent parameter
     * @return the parameter's value, from {@code min} to {@code max}
     * @throws ProblemException a 400 naming the parameter and its range
     */
    public static int wholeNumber(String name, String raw, int absent, int min, int max) {
        return (int) wholeNumber(name, raw, (long) absent, min, max);
    }

    /** As {@link #wholeNumber(String, String, int, int, int)}, for ranges beyond an int. */
    public static long wholeNumber(String name, String raw, long absent, long min, long max) {
        if (raw == null || raw.isEmpty()) {
            return absent;
        }
        if (raw.length() > MAX_DIGITS || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(name, min, max);
        }
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException beyondALong) {
            throw invalid(name, min, max);
        }
        if (value < min || value > max) {
            throw invalid(name, min, max);
        }
        return value;
    }

    private static ProblemException invalid(String name, long min, long max) {
        return ProblemException.invalid(name, name + " must be a whole number from " + min + " to " + max + ".");
    }
}
