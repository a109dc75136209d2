package org.fhirsnapshot.archive;

import java.util.Optional;

/**
 * One byte range of a representation of known length, read from an HTTP {@code Range} header (RFC 9110 §14):
 * {@code bytes=N-}, {@code bytes=N-M} or {@code bytes=-S} (the last S bytes). A header this does not read (another
 * unit, several ranges, bad syntax) is ignored: the whole representation is sent, as RFC 9110 allows.
 *
 * @param first first byte, inclusive
 * @param last last byte, inclusive
 */
public record ByteRange(long first, long last) {

    /** What a Range header asks of a representation of {@code length} bytes. */
    public sealed interface Request permits Whole, Partial, Unsatisfiable {
    }

    /** No usable Range header: send everything (200). */
    public record Whole() implements Request {
    }

    /** Send this range (206). */
    public record Partial(ByteRange range) implements Request {
    }

    /** The range starts at or past the end (416). */
    public record Unsatisfiable() implements Request {
    }

    public long length() {
        return last - first + 1;
    }

    /** {@code bytes N-M/L}, the value of a 206's Content-Range. */
    public String contentRange(long total) {
        return "bytes " + first + "-" + last + "/" + total;
    }

    /**
     * Reads a Range header against a representation of {@code length} bytes; an If-Range that is not the current
     * strong ETag (or is a date) means the client's copy is stale: everything is sent again.
     *
     * @param etag the current ETag, quoted
     */
    public static Request of(String range, String ifRange, String etag, long length) {
        if (range == null || range.isBlank()) {
            return new Whole();
        }
        if (ifRange != null && !ifRange.isBlank() && !ifRange.trim().equals(etag)) {
            return new Whole();
        }
        String spec = range.trim();
        if (!spec.regionMatches(true, 0, "bytes=", 0, 6) || spec.indexOf(',') >= 0) {
            return new Whole();
        }
        spec = spec.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        Optional<Long> first = number(spec.substring(0, dash));
        Optional<Long> last = number(spec.substring(dash + 1));
        if (dash == 0) {
            // bytes=-S: the last S bytes.
            if (last.isEmpty()) {
                return new Whole();
            }
            if (last.get() == 0 || length == 0) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(Math.max(0, length - last.get()), length - 1));
        }
        if (first.isEmpty() || (dash < spec.length() - 1 && last.isEmpty())) {
            return new Whole();
        }
        if (last.isPresent() && last.get() < first.get()) {
            return new Whole();
        }
        if (first.get() >= length) {
            return new Unsatisfiable();
        }
        long end = last.map(l -> Math.min(l, length - 1)).orElse(length - 1);
        return new Partial(new ByteRange(first.get(), end));
    }

    private static Optional<Long> number(String text) {
        String digits = text.trim();
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(digits));
    }
}
