package org.fhirsnapshot.mrn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of an MRN upload, without a server. */
class MrnUploadTest {

    @Test
    void valuesAreTrimmedCheckedAndCountedOnce() {
        MrnUpload upload = MrnUpload
                .ofValues(java.util.Arrays.asList(" A-1 ", "A-1", "b.2_C", "bad mrn", "x".repeat(65),
                        "", null, "bad mrn", "é1", "y".repeat(64)));

        assertThat(upload.received()).isEqualTo(10);
        assertThat(upload.accepted()).containsExactly("A-1", "b.2_C", "y".repeat(64));
        assertThat(upload.rejected()).containsExactly(
                new MrnUpload.Rejected("bad mrn", "contains characters other than letters, digits, '-', '.' and '_'"),
                new MrnUpload.Rejected("x".repeat(65), "longer than 64 characters"),
                new MrnUpload.Rejected("", "empty"),
                new MrnUpload.Rejected("é1", "contains characters other than letters, digits, '-', '.' and '_'"));
    }

    @Test
    void textHasOneMrnALineAndBlankLinesAreIgnored() {
        MrnUpload upload = MrnUpload.ofText("A-1\r\n\n  B-2  \n\t\nA-1\nC 3\n");

        assertThat(upload.received()).isEqualTo(4);
        assertThat(upload.accepted()).containsExactly("A-1", "B-2");
        assertThat(upload.rejected()).extracting(MrnUpload.Rejected::mrn).containsExactly("C 3");
    }

    @Test
    void anEmptyTextHasNoValues() {
        assertThat(MrnUpload.ofText("\n \n").received()).isZero();
        assertThat(MrnUpload.ofValues(List.of()).received()).isZero();
    }
}
