package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZipEntryNamesTest {

    private static final List<String> HOSTILE = List.of("../../etc", "..", ".", "a/b", "a\\b", "/etc/passwd",
            "C:\\Windows", "a\u0000b", "line\nbreak", "tab\there", "\u001f\u007f", "...", ".hidden", "trailing.",
            "a/../../b", "%2e%2e", "CON", "nul.txt", "ü/é", " ");

    @Test
    void hostileMrnsBecomeOneSegmentWithoutSeparatorsDotSegmentsOrControlCharacters() {
        for (String mrn : HOSTILE) {
            String segment = ZipEntryNames.segment(mrn);
            assertThat(segment).as(mrn).doesNotContain("/", "\\", ":").isNotIn(".", "..", "").doesNotStartWith(".")
                    .doesNotEndWith(".").matches("[A-Za-z0-9._%~-]+");
            assertThat(segment.chars()).as(mrn).allMatch(c -> c >= 0x21 && c < 0x7f);
        }
    }

    @Test
    void dotAndDotDotAreEncodedAsWholeSegments() {
        assertThat(ZipEntryNames.segment(".")).isEqualTo("%2E");
        assertThat(ZipEntryNames.segment("..")).isEqualTo("%2E%2E");
        assertThat(ZipEntryNames.segment("../../etc")).isEqualTo("%2E.%2F..%2Fetc");
    }

    @Test
    void separatorsNulAndControlCharactersArePercentEncoded() {
        assertThat(ZipEntryNames.segment("a/b")).isEqualTo("a%2Fb");
        assertThat(ZipEntryNames.segment("a\\b")).isEqualTo("a%5Cb");
        assertThat(ZipEntryNames.segment("a\u0000b")).isEqualTo("a%00b");
        assertThat(ZipEntryNames.segment("a\nb\u001f")).isEqualTo("a%0Ab%1F");
        assertThat(ZipEntryNames.segment("100%")).isEqualTo("100%25");
    }

    @Test
    void ordinaryMrnsAndKeysStayReadable() {
        assertThat(ZipEntryNames.segment("MRN000007")).isEqualTo("MRN000007");
        assertThat(ZipEntryNames.segment("vital-signs")).isEqualTo("vital-signs");
        assertThat(ZipEntryNames.segment("E1234.5_x")).isEqualTo("E1234.5_x");
    }

    @Test
    void mrnsThatANaiveReplacementWouldMergeStayDistinct() {
        // Replacing unsafe characters by "_" would give "a_b" for all three, and "a b" for the last two.
        List<String> mrns = List.of("a/b", "a\\b", "a_b", "a%2Fb", "a b", "a\tb");
        Set<String> segments = new HashSet<>();
        mrns.forEach(mrn -> segments.add(ZipEntryNames.segment(mrn)));
        assertThat(segments).hasSize(mrns.size());
    }

    @Test
    void percentDecodingASegmentGivesTheValueBackSoDifferentValuesNeverShareOne() {
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder value = new StringBuilder();
            int length = 1 + random.nextInt(20);
            for (int j = 0; j < length; j++) {
                // Mostly ASCII, control characters included, some non-ASCII.
                value.append(random.nextInt(10) == 0
                        ? (char) (0xa0 + random.nextInt(0x2000))
                        : (char) random.nextInt(0x80));
            }
            String mrn = value.toString();
            assertThat(percentDecode(ZipEntryNames.segment(mrn))).isEqualTo(mrn);
        }
    }

    @Test
    void windowsDeviceNamesAreNotKeptAsIs() {
        assertThat(ZipEntryNames.segment("CON")).isEqualTo("%43ON");
        assertThat(ZipEntryNames.segment("nul.txt")).isEqualTo("%6Eul.txt");
        assertThat(ZipEntryNames.segment("COM1")).isNotEqualToIgnoringCase("com1");
        assertThat(ZipEntryNames.segment("CONSOLE")).isEqualTo("CONSOLE");
    }

    @Test
    void veryLongValuesAreCutWithAHashThatKeepsThemApart() {
        String base = "X".repeat(300);
        String first = ZipEntryNames.segment(base + "1");
        String second = ZipEntryNames.segment(base + "2");
        assertThat(first).hasSizeLessThanOrEqualTo(ZipEntryNames.MAX_SEGMENT_LENGTH).contains("~");
        assertThat(first).isNotEqualTo(second);
        // A cut never splits a %XX escape.
        String escaped = ZipEntryNames.segment("/".repeat(200));
        assertThat(escaped.substring(0, escaped.indexOf('~'))).matches("(%2F)+");
    }

    @Test
    void theSameMrnAlwaysGetsTheSameFolder() {
        ZipEntryNames names = new ZipEntryNames();
        assertThat(names.file("MRN1", "labs", ".json")).isEqualTo("MRN1/labs.json");
        assertThat(names.file("MRN1", "vitals", ".json")).isEqualTo("MRN1/vitals.json");
        assertThat(names.folder("MRN1")).isEqualTo("MRN1");
    }

    @Test
    void mrnsThatDifferOnlyInCaseGetFoldersThatDifferIgnoringCase() {
        ZipEntryNames names = new ZipEntryNames();
        String upper = names.folder("ABC");
        String lower = names.folder("abc");
        assertThat(upper).isEqualTo("ABC");
        assertThat(lower).isEqualTo("abc~2");
        assertThat(names.folder("Abc")).isEqualTo("Abc~3");
        assertThat(names.folder("abc")).isEqualTo("abc~2");
    }

    @Test
    void aSuffixedNameNeverClashesWithAnEncodedOne() {
        ZipEntryNames names = new ZipEntryNames();
        names.folder("ABC");
        String suffixed = names.folder("abc");
        // The MRN "abc~2" is encoded (~ is not kept), so it cannot take the suffixed folder.
        assertThat(names.folder("abc~2")).isNotEqualToIgnoringCase(suffixed).isEqualTo("abc%7E2");
    }

    @Test
    void anMrnNamedLikeTheManifestDoesNotTakeItsName() {
        ZipEntryNames names = new ZipEntryNames();
        names.reserve("manifest.json");
        assertThat(names.folder("manifest.json")).isEqualTo("manifest.json~2");
        assertThat(names.folder("MANIFEST.JSON")).isEqualTo("MANIFEST.JSON~3");
    }

    @Test
    void mappingKeysThatDifferOnlyInCaseGetDistinctFiles() {
        ZipEntryNames names = new ZipEntryNames();
        assertThat(names.file("m", "Labs", ".json")).isEqualTo("m/Labs.json");
        assertThat(names.file("m", "labs", ".json")).isEqualTo("m/labs~2.json");
        assertThat(names.file("m", "../x", ".json")).isEqualTo("m/%2E.%2Fx.json");
    }

    @Test
    void rootFilesAreUniqueIgnoringCase() {
        ZipEntryNames names = new ZipEntryNames();
        names.reserve("manifest.json");
        assertThat(names.rootFile("Observation", ".ndjson")).isEqualTo("Observation.ndjson");
        assertThat(names.rootFile("observation", ".ndjson")).isEqualTo("observation~2.ndjson");
        assertThat(names.rootFile("manifest", ".json")).isEqualTo("manifest~2.json");
    }

    private static String percentDecode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3).toUpperCase(Locale.ROOT), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
