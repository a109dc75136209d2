package org.fhirsnapshot.problem;

/**
 * The {@code page} and {@code size} query parameters of a paged list, read with {@link QueryNumbers}: a value that is
 * not a whole number in range is a 400 problem naming the parameter and its range.
 *
 * @param page the page index, from 0 to {@link #MAX_PAGE}
 * @param size the page size, from 1 to the list's largest size
 */
public record Paging(int page, int size) {

    /** The highest page index: {@code page × size} stays far below 2^31 with any size a list allows. */
    public static final int MAX_PAGE = 1_000_000;

    /**
     * @param page the raw {@code page} parameter, null or empty when absent (page 0)
     * @param size the raw {@code size} parameter, null or empty when absent ({@code defaultSize})
     * @param defaultSize the size of a page when none is asked for
     * @param maxSize the largest size the list allows
     */
    public static Paging of(String page, String size, int defaultSize, int maxSize) {
        return new Paging(QueryNumbers.wholeNumber("page", page, 0, 0, MAX_PAGE),
                QueryNumbers.wholeNumber("size", size, defaultSize, 1, maxSize));
    }
}
