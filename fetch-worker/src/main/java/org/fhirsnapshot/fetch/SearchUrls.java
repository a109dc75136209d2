package org.fhirsnapshot.fetch;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The URLs the worker asks an EHR for: the Patient search by MRN and the search of one mapping resource. Pure.
 */
public final class SearchUrls {

    private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");

    private SearchUrls() {
    }

    /** {@code {base}/Patient?identifier={system}|{mrn}}, the value URL-encoded. */
    public static String patientByIdentifier(String baseUrl, String identifierSystem, String mrn) {
        return base(baseUrl) + "/Patient?identifier=" + encode(identifierSystem + "|" + mrn);
    }

    /**
     * {@code {base}/{query}} with {@code patient={id}} ({@code _id={id}} for Patient) and {@code _count}.
     *
     * @param query the mapping's relative search, for example {@code Observation?category=laboratory}
     * @param pageSize the page size asked for; not added when the query sets {@code _count} itself
     * @throws FetchFailure {@code invalid_spec} when the query does not start with a resource type
     */
    public static String search(String baseUrl, String query, String patientId, int pageSize) {
        String trimmed = query == null ? "" : query.trim();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        int mark = trimmed.indexOf('?');
        String type = mark < 0 ? trimmed : trimmed.substring(0, mark);
        String parameters = mark < 0 ? "" : trimmed.substring(mark + 1);
        if (!RESOURCE_TYPE.matcher(type).matches()) {
            throw new FetchFailure(ErrorClass.INVALID_SPEC,
                    "the mapping's search does not start with a FHIR resource type");
        }
        StringBuilder url = new StringBuilder(base(baseUrl)).append('/').append(type).append('?');
        String normalized = escapeQuery(parameters);
        if (!normalized.isEmpty()) {
            url.append(normalized).append('&');
        }
        url.append("Patient".equals(type) ? "_id=" : "patient=").append(encode(patientId));
        if (pageSize > 0 && !hasParameter(parameters, "_count")) {
            url.append("&_count=").append(pageSize);
        }
        return url.toString();
    }

    private static String base(String baseUrl) {
        String base = baseUrl.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }

    private static boolean hasParameter(String parameters, String name) {
        for (String parameter : parameters.split("&")) {
            if (parameter.equals(name) || parameter.startsWith(name + "=")) {
                return true;
            }
        }
        return false;
    }

    /** Percent-encodes a value completely (the {@code |} of a token, reserved characters of an id). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A query string as the user wrote it, with only the characters that may not appear in a URI query escaped
     * (for example {@code |} of {@code code=http://loinc.org|2345-7}, spaces, non-ASCII). Existing escapes stay.
     */
    static String escapeQuery(String query) {
        StringBuilder escaped = new StringBuilder(query.length());
        for (byte b : query.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (allowedInQuery(c)) {
                escaped.append((char) c);
            } else {
                escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return escaped.toString();
    }

    /** RFC 3986 query characters: unreserved, sub-delims, {@code : @ / ?}, and {@code %} of existing escapes. */
    private static boolean allowedInQuery(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
    }
}
