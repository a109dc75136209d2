package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.Set;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * Runs one search to its end: reads the first page, follows every {@code next} link on the FHIR system's own
 * origin, stops at a loop (a URL read before) and fails at the page or byte limit ({@code too_large}); merges the
 * pages into one searchset Bundle. Every answer goes through {@link OperationOutcomeClassifier}. When the EHR
 * forgets the search while it is paged (Epic 4113, {@link PagingSessionExpired}), the search runs again from its
 * first page once, with a warning; a second expiry fails it ({@code server_error}).
 */
@ApplicationScoped
public class SearchFetcher {

    private final FhirHttpClient http;
    private final FetchConfig config;

    public SearchFetcher(FhirHttpClient http, FetchConfig config) {
        this.http = http;
        this.config = config;
    }

    static final String RESTARTED_WARNING = "the EHR's paging session expired (Epic 4113); the search was run again "
            + "from its first page";

    /** Reads every page of the search at {@code firstUrl}; fails with a {@link FetchFailure}. */
    public Uni<SearchResult> fetch(FhirSystemSettings system, String firstUrl) {
        return fetchOnce(system, firstUrl, false)
                .onFailure(PagingSessionExpired.class).recoverWithUni(() -> fetchOnce(system, firstUrl, true)
                        .onFailure(PagingSessionExpired.class).transform(expiredAgain -> new PagingSessionExpired(
                                "the EHR's paging session expired again after the search was run again "
                                        + "(Epic 4113)")));
    }

    private Uni<SearchResult> fetchOnce(FhirSystemSettings system, String firstUrl, boolean restarted) {
        Paging paging = new Paging(firstUrl);
        if (restarted) {
            paging.merger.warn(RESTARTED_WARNING);
        }
        return Multi.createBy().repeating().uni(() -> readPage(system, paging))
                .whilst(ignored -> paging.nextUrl != null)
                .collect().last()
                .map(ignored -> new SearchResult(paging.merger.bundle(firstUrl), paging.merger.pages(),
                        paging.merger.resources(), paging.merger.outcomeEntries(), paging.merger.warnings()));
    }

    /** The state of one search's paging; touched by one page at a time. */
    private static final class Paging {
        private final SearchsetMerger merger = new SearchsetMerger();
        private final Set<String> seen = new HashSet<>();
        private String nextUrl;

        Paging(String firstUrl) {
            nextUrl = firstUrl;
            seen.add(firstUrl);
        }
    }

    private Uni<Integer> readPage(FhirSystemSettings system, Paging paging) {
        String url = paging.nextUrl;
        return http.get(system, url).map(response -> {
            JsonNode page = FhirJson.parse(response.body()).orElse(null);
            OperationOutcomeClassifier.classify(response.status(), page).ifPresent(failure -> {
                throw failure;
            });
            paging.merger.add(page, response.body().length);
            if (paging.merger.bytesRead() > config.maxBytes()) {
                throw new FetchFailure(ErrorClass.TOO_LARGE, "the search returned more than " + config.maxBytes()
                        + " bytes after " + paging.merger.pages() + " pages; it was stopped");
            }
            PagingRules.NextPage next = PagingRules.next(page, url, system.baseUrl(), paging.seen);
            paging.nextUrl = null;
            if (next instanceof PagingRules.Follow follow) {
                if (paging.merger.pages() >= config.maxPages()) {
                    throw new FetchFailure(ErrorClass.TOO_LARGE, "the search has more than " + config.maxPages()
                            + " pages; it was stopped");
                }
                paging.seen.add(follow.url());
                paging.nextUrl = follow.url();
            } else if (next instanceof PagingRules.Loop) {
                paging.merger.warn("the EHR's paging led back to a page already read; stopped after "
                        + paging.merger.pages() + " pages");
            }
            return paging.merger.pages();
        });
    }
}
