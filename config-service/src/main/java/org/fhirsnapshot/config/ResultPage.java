package org.fhirsnapshot.config;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list.
 *
 * @param page the page number, from 0
 * @param size the page size asked for
 * @param total how many items the whole list has
 * @param items the items of this page
 */
public record ResultPage<T>(int page, int size, long total, List<T> items) {

    public <R> ResultPage<R> map(Function<T, R> mapper) {
        return new ResultPage<>(page, size, total, items.stream().map(mapper).toList());
    }
}
