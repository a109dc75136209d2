package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannedArchiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant FETCHED = Instant.parse("2026-11-25T08:30:00Z");

    @TempDir
    Path storeDirectory;
    @TempDir
    Path work;
    private PayloadStore store;
    private long nextId = 1;
    private final List<ArchiveEntry> entries = new ArrayList<>();
    private final List<String> payloads = new ArrayList<>();

    @BeforeEach
    void openStore() throws IOException {
        store = new FileSystemPayloadStore(storeDirectory);
        for (int i = 0; i < 12; i++) {
            String payload = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + observations(i * 37)
                    + "]}";
            payloads.add(payload);
            entries.add(completed(i < 6 ? "MRN" + i : "../../MRN" + i, "laboratory", payload));
        }
        entries.add(new ArchiveEntry(nextId++, "MRN404", 1, "laboratory", "Laboratory", "predefined",
                "Observation?category=laboratory", "failed", null, FETCHED.plusSeconds(60), "not_found",
                "No patient.", false, 0));
        entries.add(new ArchiveEntry(nextId++, "MRN-gone", 1, "laboratory", "Laboratory", "predefined",
                "Observation?category=laboratory", "completed", "sha256:" + "0".repeat(64), FETCHED, null, null,
                false, 0));
    }

    @Test
    void aPlannedArchiveHoldsTheStoredBytesAndEveryReaderAcceptsIt() throws IOException {
        PlannedArchive plan = plan(entries);
        byte[] zip = whole(plan, true);

        assertThat((long) zip.length).isEqualTo(plan.length());
        assertThat(plan.files()).isEqualTo(12);
        Map<String, byte[]> files = ZipChecks.open(zip);
        assertThat(files.get("MRN0/laboratory.json")).isEqualTo(payloads.get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(files.get("%2E.%2F..%2FMRN11/laboratory.json"))
                .isEqualTo(payloads.get(11).getBytes(StandardCharsets.UTF_8));
        JsonNode manifest = JSON.readTree(files.get("manifest.json"));
        assertThat(manifest.path("asOf").asText()).isEqualTo(FETCHED.plusSeconds(60).toString());
        assertThat(manifest.path("counts").path("files").asInt()).isEqualTo(12);
        assertThat(manifest.path("failed")).extracting(f -> f.path("errorClass").asText())
                .containsExactly("not_found", "payload_missing");
    }

    @Test
    void entriesCarryTheStoredDeflateStreamItselfNotARecompressedOne() throws IOException {
        PlannedArchive plan = plan(entries.subList(0, 1));
        Path file = work.resolve("one.zip");
        Files.write(file, whole(plan, true));
        ZipChecks.open(file);
        String hex = entries.get(0).payloadRef().substring(7);
        long stored = Files.size(storeDirectory.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4))
                .resolve(hex + ".json.gz"));
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("MRN0/laboratory.json");
            // The gzip file minus its 10-byte header and 8-byte trailer.
            assertThat(entry.getCompressedSize()).isEqualTo(stored - 18);
            assertThat(entry.getMethod()).isEqualTo(ZipEntry.DEFLATED);
        }
    }

    @Test
    void anyRangesOfThePlanConcatenateToTheWholeArchive() throws IOException {
        PlannedArchive plan = plan(entries);
        byte[] whole = whole(plan, true);
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 20; round++) {
            long cut = 1 + random.nextLong(plan.length() - 1);
            ByteArrayOutputStream resumed = new ByteArrayOutputStream();
            plan.writeTo(resumed, store, 0, cut - 1, true);
            plan.writeTo(resumed, store, cut, plan.length() - 1, true);
            assertThat(resumed.toByteArray()).as("cut at %d", cut).isEqualTo(whole);
        }
        ByteArrayOutputStream middle = new ByteArrayOutputStream();
        plan.writeTo(middle, store, 1000, 1999, true);
        assertThat(middle.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(whole, 1000, 2000));
    }

    @Test
    void theSameDataPlannedTwiceGivesTheSameBytesAndETag() throws IOException {
        PlannedArchive first = plan(entries);
        PlannedArchive second = plan(entries);

        assertThat(second.etag()).isEqualTo(first.etag()).hasSize(64);
        assertThat(whole(second, true)).isEqualTo(whole(first, true));
        PlannedArchive fewer = plan(entries.subList(1, entries.size()));
        assertThat(fewer.etag()).isNotEqualTo(first.etag());
    }

    @Test
    void itsManifestIsTheOneTheStreamingWriterWrites() throws IOException {
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        try (ArchiveWriter writer = new ArchiveWriter(streamed, store, "demo", ArchiveFilters.all(), 6)) {
            for (ArchiveEntry entry : entries) {
                writer.add(entry);
            }
            writer.finish();
        }
        assertThat(ZipChecks.open(whole(plan(entries), true)).get("manifest.json"))
                .isEqualTo(ZipChecks.open(streamed.toByteArray()).get("manifest.json"));
    }

    @Test
    void gzipHeadersWithEveryOptionalFieldAreSkippedAsRfc1952Says() throws IOException {
        byte[] payload = "{\"resourceType\":\"Bundle\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8);
        String ref = storeRaw(payload, gzipWithAllHeaderFields(payload));
        GzipMember member = GzipMember.inspect(store, ref);
        assertThat(member.dataOffset()).isEqualTo(10 + 2 + 4 + "payload.json\0".length() + "a comment\0".length() + 2);
        assertThat(member.size()).isEqualTo(payload.length);
        ArchiveEntry entry = new ArchiveEntry(nextId++, "MRN1", 1, "laboratory", "Laboratory", "predefined", "q",
                "completed", ref, FETCHED, null, null, false, 0);

        Map<String, byte[]> files = ZipChecks.open(whole(plan(List.of(entry)), true));

        assertThat(files.get("MRN1/laboratory.json")).isEqualTo(payload);
    }

    @Test
    void planningReadsOnlyEachPayloadsHeaderAndTrailerAndARangeReadsOnlyItsBytes() throws IOException {
        List<long[]> reads = new ArrayList<>();
        PayloadStore ranged = new RangeRecordingStore(store, reads);
        ArchiveEntry entry = entries.get(3);
        long total = store.compressedSize(entry.payloadRef());

        PlannedArchive plan = plan(ranged, List.of(entry));

        // The header from the first bytes, the trailer from the last 8: never the whole object.
        assertThat(reads).containsExactly(new long[]{0, Math.min(total, GzipMember.HEADER_READ)},
                new long[]{total - 8, 8});
        GzipMember member = GzipMember.inspect(store, entry.payloadRef());
        byte[] whole = whole(plan, true);
        reads.clear();
        long start;
        try (org.apache.commons.compress.archivers.zip.ZipFile zip = org.apache.commons.compress.archivers.zip.ZipFile
                .builder().setSeekableByteChannel(
                        new org.apache.commons.compress.utils.SeekableInMemoryByteChannel(whole))
                .get()) {
            start = zip.getEntry("MRN3/laboratory.json").getDataOffset();
        }
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        plan.writeTo(part, ranged, start + 5, start + 104, false);

        assertThat(part.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(whole, (int) start + 5,
                (int) start + 105));
        assertThat(reads).containsExactly(new long[]{member.dataOffset() + 5, 100});
    }

    @Test
    void aGzipHeaderLongerThanTheFirstReadIsReadAgainWhole() throws IOException {
        byte[] payload = "{\"resourceType\":\"Bundle\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8);
        String name = "n".repeat(3000);
        String ref = storeRaw(payload, gzipWithAllHeaderFields(payload, name));
        List<long[]> reads = new ArrayList<>();

        GzipMember member = GzipMember.inspect(new RangeRecordingStore(store, reads), ref);

        assertThat(member.dataOffset()).isEqualTo(10 + 2 + 4 + name.length() + 1 + "a comment\0".length() + 2);
        assertThat(member.size()).isEqualTo(payload.length);
        assertThat(reads.get(0)).containsExactly(0, GzipMember.HEADER_READ);
        assertThat(reads.get(1)).containsExactly(0, Long.MAX_VALUE);
    }

    @Test
    void whatIsNotAGzipMemberIsRefused() throws IOException {
        assertThatThrownBy(() -> GzipMember.headerLength(new ByteArrayInputStream(new byte[]{'P', 'K', 3, 4, 0, 0,
                0, 0, 0, 0}))).isInstanceOf(IOException.class).hasMessageContaining("not a gzip member");
        byte[] reserved = {0x1f, (byte) 0x8b, 8, (byte) 0x20, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> GzipMember.headerLength(new ByteArrayInputStream(reserved)))
                .isInstanceOf(IOException.class).hasMessageContaining("reserved");
    }

    @Test
    void aPayloadTooBigForTheTrailersLengthToBeTrustedIsCountedByInflating() throws IOException {
        byte[] random = new byte[6_000_000];
        new SplittableRandom(3).nextBytes(random);
        byte[] payload = ("{\"data\":\"" + Base64.getEncoder().encodeToString(random) + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        String ref = store.write(new ByteArrayInputStream(payload)).ref();
        GzipMember member = GzipMember.inspect(store, ref);
        assertThat(member.compressedSize()).isGreaterThan(GzipMember.ISIZE_EXACT_BELOW);
        assertThat(member.size()).isEqualTo(payload.length);
        ArchiveEntry entry = new ArchiveEntry(nextId++, "MRN1", 1, "notes", "Notes", "predefined", "q", "completed",
                ref, FETCHED, null, null, false, 1);

        Map<String, byte[]> files = ZipChecks.open(whole(plan(List.of(entry)), true));

        assertThat(files.get("MRN1/notes.json")).isEqualTo(payload);
    }

    @Test
    void aPayloadThatNoLongerMatchesItsReferenceStopsTheArchiveWhenVerifying() throws IOException {
        byte[] claimed = "{\"resourceType\":\"Bundle\",\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8);
        byte[] other = "{\"resourceType\":\"Bundle\",\"id\":\"2\"}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gzip = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gzip)) {
            out.write(other);
        }
        String ref = storeRaw(claimed, gzip.toByteArray());
        ArchiveEntry entry = new ArchiveEntry(nextId++, "MRN1", 1, "laboratory", "Laboratory", "predefined", "q",
                "completed", ref, FETCHED, null, null, false, 0);
        PlannedArchive plan = plan(List.of(entry));

        assertThatThrownBy(() -> whole(plan, true)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not match its reference");
        // Unverified, it goes out as stored; the manifest's digest then tells the recipient.
        byte[] unverified = whole(plan, false);
        Map<String, byte[]> files = ZipChecks.readStreamed(unverified);
        assertThat(files.get("MRN1/laboratory.json")).isEqualTo(other);
        assertThatThrownBy(() -> ZipChecks.open(unverified)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("MRN1/laboratory.json");
    }

    @Test
    void perResourceFiltersCannotBePlanned() {
        ArchiveFilters dated = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.json, null, null, List.of(),
                FETCHED, null);
        assertThatThrownBy(() -> new PlannedArchive.Planner(store, "demo", dated))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private PlannedArchive plan(List<ArchiveEntry> list) throws IOException {
        PlannedArchive.Planner planner = new PlannedArchive.Planner(store, "demo", ArchiveFilters.all());
        for (ArchiveEntry entry : list) {
            planner.add(entry);
        }
        return planner.finish();
    }

    private PlannedArchive plan(PayloadStore from, List<ArchiveEntry> list) throws IOException {
        PlannedArchive.Planner planner = new PlannedArchive.Planner(from, "demo", ArchiveFilters.all());
        for (ArchiveEntry entry : list) {
            planner.add(entry);
        }
        return planner.finish();
    }

    /** The real file-system store, recording every {@code openCompressed} as {offset, length}. */
    private static final class RangeRecordingStore implements PayloadStore {

        private final PayloadStore store;
        private final List<long[]> reads;

        RangeRecordingStore(PayloadStore store, List<long[]> reads) {
            this.store = store;
            this.reads = reads;
        }

        @Override
        public org.fhirsnapshot.payload.PayloadWriter openWriter() throws IOException {
            return store.openWriter();
        }

        @Override
        public java.io.InputStream open(String ref) throws IOException {
            return store.open(ref);
        }

        @Override
        public java.io.InputStream openCompressed(String ref, long offset, long length) throws IOException {
            reads.add(new long[]{offset, length});
            return store.openCompressed(ref, offset, length);
        }

        @Override
        public long compressedSize(String ref) throws IOException {
            return store.compressedSize(ref);
        }

        @Override
        public boolean exists(String ref) {
            return store.exists(ref);
        }

        @Override
        public void checkAvailable() throws IOException {
            store.checkAvailable();
        }
    }

    private byte[] whole(PlannedArchive plan, boolean verify) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        plan.writeTo(out, store, 0, plan.length() - 1, verify);
        return out.toByteArray();
    }

    private ArchiveEntry completed(String mrn, String key, String payload) throws IOException {
        String ref = store.write(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8))).ref();
        return new ArchiveEntry(nextId++, mrn, 1, key, "Laboratory", "predefined", "Observation?category=" + key,
                "completed", ref, FETCHED, null, null, false, 0);
    }

    private static String observations(int count) {
        StringBuilder json = new StringBuilder();
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o")
                    .append(i).append("\",\"valueQuantity\":{\"value\":").append(i * 7 % 101).append(".50}}}");
        }
        return json.toString();
    }

    /** Puts {@code gzip} in the store under the reference of {@code claimed} (as a foreign writer would). */
    private String storeRaw(byte[] claimed, byte[] gzip) throws IOException {
        String hex = ZipChecks.sha256(claimed);
        Path file = storeDirectory.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex + ".json.gz");
        Files.createDirectories(file.getParent());
        Files.write(file, gzip);
        return "sha256:" + hex;
    }

    /** A gzip member with FEXTRA, FNAME, FCOMMENT and FHCRC set, as RFC 1952 allows. */
    private static byte[] gzipWithAllHeaderFields(byte[] payload) throws IOException {
        return gzipWithAllHeaderFields(payload, "payload.json");
    }

    private static byte[] gzipWithAllHeaderFields(byte[] payload, String fileName) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] fixed = {0x1f, (byte) 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3};
        out.write(fixed);
        out.write(new byte[]{4, 0, 'A', 'B', 0, 0});
        out.write((fileName + "\0").getBytes(StandardCharsets.ISO_8859_1));
        out.write("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        CRC32 headerCrc = new CRC32();
        headerCrc.update(out.toByteArray());
        long crc16 = headerCrc.getValue() & 0xFFFF;
        out.write((int) (crc16 & 0xFF));
        out.write((int) (crc16 >> 8));
        Deflater deflater = new Deflater(6, true);
        deflater.setInput(payload);
        deflater.finish();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(payload);
        writeInt(out, crc.getValue());
        writeInt(out, payload.length);
        // java.util.zip reads every optional field too: the store's own reader accepts the file.
        try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(payload);
        }
        return out.toByteArray();
    }

    private static void writeInt(OutputStream out, long value) throws IOException {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >> (8 * i)) & 0xFF);
        }
    }
}
