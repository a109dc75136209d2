package org.fhirsnapshot.archive.rest;

import java.util.List;

/**
 * A page of downloads, newest first (the same shape as every list of the API).
 *
 * @param page the page index, from 0
 * @param size the page size asked for
 * @param total downloads of the project in all
 * @param items this page's downloads
 */
public record DownloadPage(int page, int size, long total, List<DownloadView> items) {
}
