package org.fhirsnapshot.sync;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which failed instances a {@code retry-failed} task puts back to pending. A null list means "any".
 *
 * @param errorClasses only instances failed with one of these error classes, or null for any
 * @param mappingIds only instances of one of these mappings, or null for any
 */
public record RetryFilter(List<String> errorClasses, List<Long> mappingIds) {

    /** Every failed instance of the project. */
    public static final RetryFilter ALL = new RetryFilter(null, null);

    public RetryFilter {
        errorClasses = errorClasses == null || errorClasses.isEmpty() ? null : List.copyOf(new TreeSet<>(errorClasses));
        mappingIds = mappingIds == null || mappingIds.isEmpty() ? null : List.copyOf(new TreeSet<>(mappingIds));
    }

    /**
     * The filter a joined task runs with: it covers both requests (each list is the union, and "any" wins), so no
     * request is lost; it may retry a few more instances than either asked for alone.
     */
    public RetryFilter merge(RetryFilter other) {
        return new RetryFilter(union(errorClasses, other.errorClasses), union(mappingIds, other.mappingIds));
    }

    /** For log lines: ids and error classes only. */
    public String describe() {
        return "error classes " + (errorClasses == null ? "any" : String.join(", ", errorClasses)) + "; mappings "
                + (mappingIds == null
                        ? "any"
                        : mappingIds.stream().map(String::valueOf).collect(Collectors.joining(", ")));
    }

    private static <T extends Comparable<T>> List<T> union(List<T> a, List<T> b) {
        if (a == null || b == null) {
            return null;
        }
        TreeSet<T> all = new TreeSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
