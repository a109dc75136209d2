package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

    private static final String ETAG = "\"abc\"";

    @Test
    void openEndedClosedAndSuffixRangesAreRead() {
        assertThat(ByteRange.of("bytes=100-", null, ETAG, 1000))
                .isEqualTo(new ByteRange.Partial(new ByteRange(100, 999)));
        assertThat(ByteRange.of("bytes=100-199", null, ETAG, 1000))
                .isEqualTo(new ByteRange.Partial(new ByteRange(100, 199)));
        assertThat(ByteRange.of("bytes=900-5000", null, ETAG, 1000))
                .isEqualTo(new ByteRange.Partial(new ByteRange(900, 999)));
        assertThat(ByteRange.of("bytes=-10", null, ETAG, 1000))
                .isEqualTo(new ByteRange.Partial(new ByteRange(990, 999)));
        assertThat(ByteRange.of("bytes=-5000", null, ETAG, 1000))
                .isEqualTo(new ByteRange.Partial(new ByteRange(0, 999)));
        assertThat(new ByteRange(100, 199).contentRange(1000)).isEqualTo("bytes 100-199/1000");
        assertThat(new ByteRange(100, 199).length()).isEqualTo(100);
    }

    @Test
    void aRangeStartingAtOrPastTheEndIsUnsatisfiable() {
        assertThat(ByteRange.of("bytes=1000-", null, ETAG, 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThat(ByteRange.of("bytes=-0", null, ETAG, 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
    }

    @Test
    void aStaleIfRangeOrAHeaderThisDoesNotReadMeansTheWholeArchive() {
        assertThat(ByteRange.of("bytes=100-", "\"other\"", ETAG, 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.of("bytes=100-", "Wed, 21 Oct 2015 07:28:00 GMT", ETAG, 1000))
                .isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.of("bytes=100-", ETAG, ETAG, 1000)).isInstanceOf(ByteRange.Partial.class);
        assertThat(ByteRange.of(null, null, ETAG, 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.of("bytes=0-1,5-6", null, ETAG, 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.of("items=0-1", null, ETAG, 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.of("bytes=5-1", null, ETAG, 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.of("bytes=x-", null, ETAG, 1000)).isInstanceOf(ByteRange.Whole.class);
    }
}
