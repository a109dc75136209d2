package org.fhirsnapshot.mrn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One upload of MRNs, checked: every value is trimmed; a valid MRN has 1 to 64 letters, digits, '-', '.' or '_';
 * an invalid one is rejected with a reason while the others are still accepted; a value sent twice counts once.
 *
 * @param received the values the request carried (blank lines of a text upload are not values)
 * @param accepted the distinct valid MRNs, in the order first sent
 * @param rejected the distinct invalid values with the reason, in the order first sent
 */
public record MrnUpload(int received, List<String> accepted, List<Rejected> rejected) {

    public static final int MAX_LENGTH = 64;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]+");

    /** A value that is not a valid MRN, and why. */
    public record Rejected(String mrn, String reason) {
    }

    /** The values of a JSON upload: every element is a value, an empty one is rejected. */
    public static MrnUpload ofValues(List<String> values) {
        List<String> raw = new ArrayList<>(values.size());
        for (String value : values) {
            raw.add(value == null ? "" : value.trim());
        }
        return check(raw);
    }

    /** The lines of a text upload: one MRN a line, blank lines ignored. */
    public static MrnUpload ofText(String text) {
        List<String> raw = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\\R")) {
                String value = line.trim();
                if (!value.isEmpty()) {
                    raw.add(value);
                }
            }
        }
        return check(raw);
    }

    private static MrnUpload check(List<String> trimmed) {
        Set<String> accepted = new LinkedHashSet<>();
        Map<String, String> rejected = new LinkedHashMap<>();
        for (String value : trimmed) {
            String reason = reasonToReject(value);
            if (reason == null) {
                accepted.add(value);
            } else {
                rejected.putIfAbsent(value, reason);
            }
        }
        return new MrnUpload(trimmed.size(), List.copyOf(accepted),
                rejected.entrySet().stream().map(e -> new Rejected(e.getKey(), e.getValue())).toList());
    }

    /** Why a trimmed value is not a valid MRN, or null when it is one. */
    static String reasonToReject(String value) {
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
