package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Which page comes next: the {@code link[relation=next]} of a searchset page, followed only on the FHIR system's
 * own origin (scheme, host and port of its base URL), never twice. Pure.
 */
public final class PagingRules {

    private PagingRules() {
    }

    /** What to do after a page. */
    public sealed interface NextPage {
    }

    /** The page has no next link: the search is complete. */
    public record Last() implements NextPage {
    }

    /** Read this URL next. */
    public record Follow(String url) implements NextPage {
    }

    /** The next link points at a page read before: stop, every distinct page has been read. */
    public record Loop() implements NextPage {
    }

    /**
     * @param page the searchset page just read
     * @param pageUrl the URL it was read from (a relative next link is resolved against it)
     * @param baseUrl the FHIR system's base URL, whose origin bounds the paging
     * @param seen the URLs read so far
     * @throws FetchFailure {@code invalid_paging} when the next link is not a URL on the system's origin
     */
    public static NextPage next(JsonNode page, String pageUrl, String baseUrl, Set<String> seen) {
        String link = nextLink(page);
        if (link == null) {
            return new Last();
        }
        URI next;
        try {
            next = new URI(pageUrl).resolve(new URI(link.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchFailure(ErrorClass.INVALID_PAGING, "the EHR's next link is not a valid URL");
        }
        if (!sameOrigin(next, baseUrl)) {
            throw new FetchFailure(ErrorClass.INVALID_PAGING,
                    "the EHR's next link leaves the FHIR system's origin; it was not followed");
        }
        String url = next.toString();
        return seen.contains(url) ? new Loop() : new Follow(url);
    }

    static String nextLink(JsonNode page) {
        JsonNode links = page == null ? null : page.get("link");
        if (links == null || !links.isArray()) {
            return null;
        }
        for (JsonNode link : links) {
            if ("next".equals(link.path("relation").asText()) && link.path("url").isTextual()
                    && !link.path("url").asText().isBlank()) {
                return link.path("url").asText();
            }
        }
        return null;
    }

    /** Same scheme, host (case-insensitive) and port (default ports made explicit). */
    static boolean sameOrigin(URI candidate, String baseUrl) {
        URI base;
        try {
            base = new URI(baseUrl.trim());
        } catch (URISyntaxException e) {
            return false;
        }
        if (candidate.getScheme() == null || candidate.getHost() == null || base.getScheme() == null
                || base.getHost() == null) {
            return false;
        }
        return candidate.getScheme().equalsIgnoreCase(base.getScheme())
                && candidate.getHost().toLowerCase(Locale.ROOT).equals(base.getHost().toLowerCase(Locale.ROOT))
                && port(candidate) == port(base);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }
}
