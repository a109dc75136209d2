package org.fhirsnapshot.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.fhirsnapshot.problem.ProblemException;

/**
 * The base URL of a FHIR system: an absolute http(s) URL without query, fragment or credentials, stored without a
 * trailing slash so that {@code {baseUrl}/{query}} is always one slash apart.
 */
public final class FhirBaseUrl {

    /** Longest base URL accepted, in characters. */
    public static final int MAX_LENGTH = 2048;

    private FhirBaseUrl() {
    }

    /**
     * The normalised URL: scheme and host in lower case, trailing slashes removed.
     *
     * @param field the request field named in an error (for example {@code baseUrl} or {@code auth.tokenUrl})
     * @throws ProblemException 400 naming {@code field} when the URL is not acceptable
     */
    public static String normalise(String raw, String field) {
        String text = raw == null ? "" : raw.strip();
        if (text.isEmpty()) {
            throw ProblemException.invalid(field,
                    field + " is required: an absolute URL such as https://ehr.example.org/fhir.");
        }
        if (text.length() > MAX_LENGTH) {
            throw ProblemException.invalid(field, field + " is longer than " + MAX_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ProblemException.invalid(field, field + " is not a valid URL (" + e.getReason()
                    + "): write an absolute URL such as https://ehr.example.org/fhir.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ProblemException.invalid(field,
                    field + " must be an absolute URL that starts with https:// or http://.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ProblemException.invalid(field, field + " has no host name.");
        }
        if (uri.getRawUserInfo() != null) {
            throw ProblemException.invalid(field,
                    field + " may not carry a user name or password: put credentials in auth.");
        }
        if (uri.getRawQuery() != null) {
            throw ProblemException.invalid(field, field + " may not have a query ('?…'): give the FHIR root only.");
        }
        if (uri.getRawFragment() != null) {
            throw ProblemException.invalid(field, field + " may not have a fragment ('#…').");
        }
        String path = (uri.getRawPath() == null ? "" : uri.getRawPath()).replaceAll("/+$", "");
        if (path.contains("..") || path.contains("//")) {
            throw ProblemException.invalid(field, field + " may not contain '..' or '//' in its path.");
        }
        String authority = uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        return scheme + "://" + authority + path;
    }
}
