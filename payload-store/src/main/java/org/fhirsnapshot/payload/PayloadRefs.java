package org.fhirsnapshot.payload;

import java.util.regex.Pattern;

/** The one shape a payload reference has; checked before a reference becomes a path or an object key. */
final class PayloadRefs {

    private static final Pattern REF = Pattern.compile("sha256:[0-9a-f]{64}");

    private PayloadRefs() {
    }

    /** The reference's hex digest; refuses anything that is not {@code sha256:<64 lower-case hex>}. */
    static String hex(String ref) {
        if (ref == null || !REF.matcher(ref).matches()) {
            throw new IllegalArgumentException("not a payload reference: " + ref);
        }
        return ref.substring(StoredPayload.PREFIX.length());
    }
}
