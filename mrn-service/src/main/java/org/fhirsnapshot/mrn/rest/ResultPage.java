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

    /** The size of a page when none is asked for. */
    public static final int DEFAULT_SIZE = 50;
    /** The largest page size a list allows. */
    public static final int MAX_SIZE = 1000;
}
