package org.fhirsnapshot.config.rest;

import org.fhirsnapshot.problem.Paging;

/**
 * The page sizes of config-service's lists, read with problem-details' {@link Paging} (page 0 to
 * {@value Paging#MAX_PAGE}).
 */
final class PageSizes {

    /** The size of a page when none is asked for. */
    static final int DEFAULT = 50;
    /** The largest page size a list allows. */
    static final int MAX = 500;
    /** How the lists' OpenAPI descriptions state the paging. */
    static final String DESCRIBED = "Paged: page from 0 to " + Paging.MAX_PAGE + " (default 0), size 1 to " + MAX
            + " (default " + DEFAULT + "); other values, a non-number included, are a 400 naming the parameter.";

    private PageSizes() {
    }
}
