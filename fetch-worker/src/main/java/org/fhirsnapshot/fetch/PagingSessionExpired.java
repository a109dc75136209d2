package org.fhirsnapshot.fetch;

/**
 * Epic 4113: the EHR forgot the search whose next page was asked for. {@link SearchFetcher} runs the search again
 * from its first page once; a second expiry fails the fetch as this ({@code server_error}).
 */
public final class PagingSessionExpired extends FetchFailure {

    public PagingSessionExpired(String message) {
        super(ErrorClass.SERVER_ERROR, message);
    }
}
