package org.fhirsnapshot.mrn.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of the MRN list: a {@link ResultPage} plus the keyset continuation.
 *
 * @param page the page index asked for, from 0 (0 when the page was asked for with {@code after})
 * @param size the page size asked for
 * @param total how many active MRNs match the filters in all
 * @param items this page's MRNs, in byte order
 * @param next the value of {@code after} that asks for the next page; absent on the last page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MrnPage(int page, int size, long total, List<MrnView> items, String next) {
}
