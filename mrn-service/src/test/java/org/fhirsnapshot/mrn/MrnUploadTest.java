package org.fhirsnapshot.mrn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of an MRN upload, without a server. */
class MrnUploadTest {

    private static final String CHARACTERS = "contains characters other than letters, digits, '-', '.' and '_'";

    @Test
    void valuesAreStrippedCheckedAndCountedOnce() {
        MrnUpload upload = MrnUpload.ofValues(Arrays.asList(" A-1 ", "A-1", "b.2_C", "bad mrn", "x".repeat(65), "",
                null, "bad mrn", "é1", "y".repeat(64), "\u2003Z-9\t"), 100);

        assertThat(upload.received()).isEqualTo(11);
        assertThat(upload.overLimit()).isFalse();
        assertThat(upload.accepted()).containsExactly("A-1", "b.2_C", "y".repeat(64), "Z-9");
        assertThat(upload.duplicates()).isEqualTo(3);
        assertThat(upload.rejected()).containsExactly(new MrnUpload.Rejected("bad mrn", CHARACTERS, 4),
                new MrnUpload.Rejected("x".repeat(65), "longer than 64 characters", 5),
                new MrnUpload.Rejected("", "empty", 6), new MrnUpload.Rejected("é1", CHARACTERS, 9));
    }

    @Test
    void textHasOneMrnALineAndBlankLinesAreIgnoredButCountedAsLines() {
        MrnUpload upload = MrnUpload.ofText("A-1\r\n\n  B-2  \n\t\nA-1\rC 3\n", 100);

        assertThat(upload.received()).isEqualTo(4);
        assertThat(upload.accepted()).containsExactly("A-1", "B-2");
        assertThat(upload.duplicates()).isEqualTo(1);
        assertThat(upload.rejected()).containsExactly(new MrnUpload.Rejected("C 3", CHARACTERS, 6));
    }

    @Test
    void controlCharactersAndNonAsciiLettersAreRejected() {
        MrnUpload upload = MrnUpload.ofValues(List.of("A\u00001", "A\u202E1", "Ａ1", "A;1", "A/1", "%41"), 100);

        assertThat(upload.accepted()).isEmpty();
        assertThat(upload.rejected()).hasSize(6).allSatisfy(r -> assertThat(r.reason()).isEqualTo(CHARACTERS));
    }

    @Test
    void anEmptyTextHasNoValues() {
        assertThat(MrnUpload.ofText("\n \n", 100).received()).isZero();
        assertThat(MrnUpload.ofText(null, 100).received()).isZero();
        assertThat(MrnUpload.ofValues(List.of(), 100).received()).isZero();
    }

    @Test
    void anUploadOverTheLimitIsCountedButNotChecked() {
        MrnUpload text = MrnUpload.ofText("A\n\nB\nC\n", 2);
        MrnUpload json = MrnUpload.ofValues(List.of("A", "B", "C"), 2);

        assertThat(text.received()).isEqualTo(3);
        assertThat(text.overLimit()).isTrue();
        assertThat(text.accepted()).isEmpty();
        assertThat(json.overLimit()).isTrue();
        assertThat(MrnUpload.ofText("A\nB", 2).overLimit()).isFalse();
    }
}
