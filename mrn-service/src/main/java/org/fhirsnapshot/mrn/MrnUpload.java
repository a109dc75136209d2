package org.fhirsnapshot.mrn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One upload of MRNs, checked: surrounding whitespace is stripped from every value; a valid MRN has 1 to 64 letters,
 * digits, '-', '.' or '_'; an invalid one is rejected with a reason (and its position) while the others are still
 * accepted; a value sent more than once counts once ({@code duplicates} says how many repeats there were).
 * <p>
 * An upload with more values than the limit is not checked at all (only counted, so that a huge list costs one scan
 * and no allocation per value): {@link #overLimit()} is then true and the lists are empty.
 *
 * @param received the values the request carried (blank lines of a text upload are not values)
 * @param accepted the distinct valid MRNs, in the order first sent
 * @param rejected the distinct invalid values with the reason, in the order first sent
 * @param duplicates how many values repeated one sent earlier in the same upload (valid or not)
 * @param limit the most values one upload may carry
 */
public record MrnUpload(int received, List<String> accepted, List<Rejected> rejected, int duplicates, int limit) {

    public static final int MAX_LENGTH = 64;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * A value that is not a valid MRN, and why.
     *
     * @param mrn the value as sent, stripped (shown back only to the caller who sent it; never logged)
     * @param reason what is wrong with it
     * @param position where it first occurs, from 1: its line in a text upload (blank lines counted), its element in
     *        a JSON list
     */
    public record Rejected(String mrn, String reason, int position) {
    }

    /** Whether the upload carries more values than one request may. */
    public boolean overLimit() {
        return received > limit;
    }

    /** The values of a JSON upload: every element is a value, an empty (or null) one is rejected. */
    public static MrnUpload ofValues(List<String> values, int limit) {
        if (values.size() > limit) {
            return new MrnUpload(values.size(), List.of(), List.of(), 0, limit);
        }
        Checker checker = new Checker();
        int position = 0;
        for (String value : values) {
            checker.add(value == null ? "" : value.strip(), ++position);
        }
        return checker.result(limit);
    }

    /** The lines of a text upload: one MRN a line (LF, CRLF or CR), blank lines ignored. */
    public static MrnUpload ofText(String text, int limit) {
        if (text == null || text.isEmpty()) {
            return new MrnUpload(0, List.of(), List.of(), 0, limit);
        }
        int values = countValues(text);
        if (values > limit) {
            return new MrnUpload(values, List.of(), List.of(), 0, limit);
        }
        Checker checker = new Checker();
        forEachLine(text, (line, position) -> {
            String value = line.strip();
            if (!value.isEmpty()) {
                checker.add(value, position);
            }
        });
        return checker.result(limit);
    }

    /** The non-blank lines of a text, counted in one pass without copying them. */
    private static int countValues(String text) {
        int[] count = {0};
        forEachLineBounds(text, (start, end, position) -> {
            for (int i = start; i < end; i++) {
                if (!Character.isWhitespace(text.charAt(i))) {
                    count[0]++;
                    return;
                }
            }
        });
        return count[0];
    }

    private interface LineConsumer {
        void accept(String line, int position);
    }

    private interface BoundsConsumer {
        void accept(int start, int end, int position);
    }

    private static void forEachLine(String text, LineConsumer consumer) {
        forEachLineBounds(text, (start, end, position) -> consumer.accept(text.substring(start, end), position));
    }

    /** Every line's bounds; a line ends at LF, CRLF or CR; a final line break does not start another line. */
    private static void forEachLineBounds(String text, BoundsConsumer consumer) {
        int start = 0;
        int position = 0;
        int length = text.length();
        while (start < length) {
            int end = start;
            while (end < length && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            consumer.accept(start, end, ++position);
            if (end < length && text.charAt(end) == '\r' && end + 1 < length && text.charAt(end + 1) == '\n') {
                end++;
            }
            start = end + 1;
        }
    }

    /** Collects accepted and rejected values, each once. */
    private static final class Checker {
        private final Set<String> accepted = new LinkedHashSet<>();
        private final Map<String, Rejected> rejected = new LinkedHashMap<>();
        private final Set<String> seen = new HashSet<>();
        private int received;
        private int duplicates;

        void add(String value, int position) {
            received++;
            if (!seen.add(value)) {
                duplicates++;
                return;
            }
            String reason = reasonToReject(value);
            if (reason == null) {
                accepted.add(value);
            } else {
                rejected.put(value, new Rejected(value, reason, position));
            }
        }

        MrnUpload result(int limit) {
            return new MrnUpload(received, List.copyOf(accepted), new ArrayList<>(rejected.values()), duplicates,
                    limit);
        }
    }

    /** Why a stripped value is not a valid MRN, or null when it is one. Never repeats the value. */
    public static String reasonToReject(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        if (!ALLOWED.matcher(value).matches()) {
            return "contains characters other than letters, digits, '-', '.' and '_'";
        }
        return null;
    }
}
