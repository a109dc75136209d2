package org.fhirsnapshot.contracts.events;

/**
 * What paging a fetch went through. Counts only: page URLs carry patient ids and stay out of Kafka.
 *
 * @param pages searchset pages read
 * @param resources entries that are clinical resources (outcome entries excluded)
 * @param outcomeEntries entries with {@code search.mode = outcome}
 * @param bytes bytes of the stored payload, uncompressed
 */
public record Pagination(int pages, int resources, int outcomeEntries, long bytes) {
}
