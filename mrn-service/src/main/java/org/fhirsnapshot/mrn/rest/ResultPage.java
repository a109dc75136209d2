package org.fhirsnapshot.mrn.rest;

import java.util.List;

/**
 * One page of a list.
 *
 * @param page the page index, from 0
 * @param size the page size asked for
 * @param total how many items match in all
 * @param items this page's items
 */
public record ResultPage<T>(int page, int size, long total, List<T> items) {
}
