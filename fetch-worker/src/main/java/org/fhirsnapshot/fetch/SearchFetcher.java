package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.PayloadWriter;
import org.fhirsnapshot.payload.StoredPayload;

/**
 * Runs one search to its end and stores it: reads the first page, follows every {@code next} link on the FHIR
 * system's own origin, stops at a loop (a URL read before) and fails at the page limit or when the payload grows
 * past the byte limit ({@code too_large}). The pages are merged into one searchset Bundle streamed to a
 * {@link PayloadWriter} page by page ({@link SearchsetMerger}): only the page being read is in memory. Every answer
 * goes through {@link OperationOutcomeClassifier}. When the EHR forgets the search while it is paged (Epic 4113,
 * {@link PagingSessionExpired}), the search runs again from its first page once, with a warning; a second expiry
 * fails it ({@code server_error}).
 * <p>
 * The payload store's file IO blocks: it runs on a worker thread ({@code executeBlocking}), never on the event
 * loop. A search's writes are ordered because each page is written before the next one is asked for; searches do
 * not wait for each other. A search that fails or is cancelled (its total timeout) deletes its partial payload.
 */
@ApplicationScoped
public class SearchFetcher {

    private final FhirHttpClient http;
    private final PayloadStore store;
    private final Vertx vertx;
    private final FetchConfig config;

    public SearchFetcher(FhirHttpClient http, PayloadStore store, Vertx vertx, FetchConfig config) {
        this.http = http;
        this.store = store;
        this.vertx = vertx;
        this.config = config;
    }

    static final String RESTARTED_WARNING = "the EHR's paging session expired (Epic 4113); the search was run again "
            + "from its first page";

    /** Reads every page of the search at {@code firstUrl} and stores them; fails with a {@link FetchFailure}. */
    public Uni<SearchResult> fetch(FhirSystemSettings system, String firstUrl, FetchDeadline deadline) {
        return fetchOnce(system, firstUrl, false, deadline)
                .onFailure(PagingSessionExpired.class).recoverWithUni(() -> fetchOnce(system, firstUrl, true, deadline)
                        .onFailure(PagingSessionExpired.class).transform(expiredAgain -> new PagingSessionExpired(
                                "the EHR's paging session expired again after the search was run again "
                                        + "(Epic 4113)")));
    }

    private Uni<SearchResult> fetchOnce(FhirSystemSettings system, String firstUrl, boolean restarted,
            FetchDeadline deadline) {
        Paging paging = new Paging(firstUrl);
        return blocking(() -> {
            paging.open(restarted);
            return null;
        })
                .chain(() -> Multi.createBy().repeating().uni(() -> readPage(system, paging, deadline))
                        .whilst(ignored -> paging.nextUrl != null)
                        .collect().last())
                .chain(() -> blocking(paging::commit))
                .map(stored -> paging.result(stored))
                // After a commit the writer is closed for good; else the partial payload is deleted.
                .onTermination().call(() -> blocking(() -> {
                    paging.close();
                    return null;
                }));
    }

    private Uni<Integer> readPage(FhirSystemSettings system, Paging paging, FetchDeadline deadline) {
        String url = paging.nextUrl;
        return http.get(system, url, deadline).chain(response -> {
            JsonNode page = FhirJson.parse(response.body()).orElse(null);
            OperationOutcomeClassifier.classify(response.status(), page).ifPresent(failure -> {
                throw failure;
            });
            long pageBytes = response.body().length;
            return blocking(() -> paging.write(page, pageBytes)).map(pages -> {
                PagingRules.NextPage next = PagingRules.next(page, url, system.baseUrl(), paging.seen);
                paging.nextUrl = null;
                if (next instanceof PagingRules.Follow follow) {
                    if (pages >= config.maxPages()) {
                        throw new FetchFailure(ErrorClass.TOO_LARGE, "the search has more than " + config.maxPages()
                                + " pages; it was stopped");
                    }
                    paging.seen.add(follow.url());
                    paging.nextUrl = follow.url();
                } else if (next instanceof PagingRules.Loop) {
                    paging.warn("the EHR's paging led back to a page already read; stopped after " + pages
                            + " pages");
                }
                return pages;
            });
        });
    }

    /** Runs file IO on a worker thread; the continuation comes back to the caller's context. */
    private <T> Uni<T> blocking(Callable<T> io) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            try {
                return io.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }), false);
    }

    /**
     * The state of one search: its paging and its payload writer. The writer is touched on worker threads, one call
     * at a time (synchronized: a cancellation may close it while a page is being written).
     */
    private final class Paging {
        private final String firstUrl;
        private final Set<String> seen = new HashSet<>();
        private volatile String nextUrl;
        private PayloadWriter writer;
        private SearchsetMerger merger;
        private boolean closed;

        Paging(String firstUrl) {
            this.firstUrl = firstUrl;
            nextUrl = firstUrl;
            seen.add(firstUrl);
        }

        synchronized void open(boolean restarted) throws IOException {
            if (closed) {
                throw new IOException("the search ended before its payload was opened");
            }
            writer = store.openWriter();
            merger = new SearchsetMerger(writer, firstUrl);
            if (restarted) {
                merger.warn(RESTARTED_WARNING);
            }
        }

        /** Writes the page's entries; answers the pages read so far. */
        synchronized int write(JsonNode page, long pageBytes) throws IOException {
            if (closed) {
                throw new IOException("the search ended while a page was being written");
            }
            merger.add(page, pageBytes);
            if (writer.size() > config.maxBytes()) {
                throw new FetchFailure(ErrorClass.TOO_LARGE, "the search's payload grew past " + config.maxBytes()
                        + " bytes after " + merger.pages() + " pages; it was stopped");
            }
            return merger.pages();
        }

        synchronized void warn(String warning) {
            merger.warn(warning);
        }

        synchronized StoredPayload commit() throws IOException {
            if (closed) {
                throw new IOException("the search ended before its payload was stored");
            }
            merger.finish();
            return writer.commit();
        }

        synchronized SearchResult result(StoredPayload stored) {
            return new SearchResult(stored, merger.pages(), merger.resources(), merger.outcomeEntries(),
                    merger.warnings());
        }

        synchronized void close() throws IOException {
            closed = true;
            if (writer != null) {
                writer.close();
            }
        }
    }
}
