package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

import ca.uhn.fhir.context.FhirContext;

/** Real HTTP against a started sandbox, parsing FHIR JSON with the test class's FhirContext. */
final class SandboxClient {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final FhirContext fhirContext;
    private final String baseUrl;

    SandboxClient(FhirContext fhirContext, String baseUrl) {
        this.fhirContext = fhirContext;
        this.baseUrl = baseUrl;
    }

    /**
     * GET of an absolute URL, or of a path relative to the FHIR base URL; the {@code |} of a token is encoded, as
     * {@link URI} refuses it.
     */
    HttpResponse<String> get(String url) {
        String absolute = (url.startsWith("http") ? url : baseUrl + "/" + url).replace("|", "%7C");
        HttpRequest request = HttpRequest.newBuilder(URI.create(absolute))
                .header("Accept", "application/fhir+json")
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    <T extends IBaseResource> T parse(String body, Class<T> type) {
        return fhirContext.newJsonParser().parseResource(type, body);
    }

    <T extends IBaseResource> T read(String url, Class<T> type) {
        HttpResponse<String> response = get(url);
        assertThat(response.statusCode()).as("status of GET %s: %s", url, response.body()).isEqualTo(200);
        return parse(response.body(), type);
    }

    Bundle search(String url) {
        return read(url, Bundle.class);
    }

    /** The search's first page and every page after it, following {@code next} links. */
    List<Bundle> searchAllPages(String url) {
        List<Bundle> pages = new ArrayList<>();
        Bundle page = search(url);
        pages.add(page);
        while (page.getLink(Bundle.LINK_NEXT) != null) {
            page = search(page.getLink(Bundle.LINK_NEXT).getUrl());
            pages.add(page);
        }
        return pages;
    }

    /** The {@code Type/id} of every match entry of the pages, in order. */
    static List<String> matchIds(List<Bundle> pages) {
        return pages.stream()
                .flatMap(page -> page.getEntry().stream())
                .filter(entry -> entry.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
                .map(entry -> entry.getResource().getIdElement().toUnqualifiedVersionless().getValue())
                .toList();
    }
}
