package org.fhirsnapshot.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PayloadStore} promises, run against each implementation: a subclass supplies a fresh, empty
 * store per test and a way to look at what it holds behind its back.
 */
abstract class PayloadStoreContract {

    private static final String MISSING = "sha256:" + "0".repeat(64);

    /** An empty store of its own for the current test. */
    abstract PayloadStore store();

    /** Every payload object (or file) the store holds, as names; spool and temporary files excluded. */
    abstract List<String> storedObjects() throws IOException;

    /** Files the store's writers have left in their spool (temporary) directory. */
    abstract List<String> spoolFiles() throws IOException;

    /** Replaces the stored bytes of {@code ref} behind the store's back. */
    abstract void overwriteStoredBytes(String ref, byte[] bytes) throws IOException;

    @Test
    void aPayloadReadsBackByteIdenticalUnderItsSha256() throws Exception {
        byte[] json = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}"
                .getBytes(StandardCharsets.UTF_8);

        StoredPayload stored = store().write(new ByteArrayInputStream(json));

        assertThat(stored.ref()).isEqualTo("sha256:" + sha256(json));
        assertThat(stored.size()).isEqualTo(json.length);
        try (InputStream in = store().open(stored.ref())) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
        assertThat(storedObjects()).hasSize(1);
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void theSameBytesWrittenTwiceAreStoredOnceAndNotWrittenAgain() throws Exception {
        byte[] json = "{\"resourceType\":\"Bundle\",\"id\":\"twice\"}".getBytes(StandardCharsets.UTF_8);
        StoredPayload first = store().write(new ByteArrayInputStream(json));
        // A marker in place of the stored bytes shows whether the second write uploads (or renames) them again.
        byte[] marker = gzip("marker");
        overwriteStoredBytes(first.ref(), marker);

        StoredPayload second = store().write(new ByteArrayInputStream(json));

        assertThat(second).isEqualTo(first);
        assertThat(storedObjects()).hasSize(1);
        try (InputStream in = store().openCompressed(first.ref())) {
            assertThat(in.readAllBytes()).isEqualTo(marker);
        }
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void aFiftyMegabytePayloadStreamsThroughWithoutBeingHeldInMemory() throws Exception {
        // The test JVM has 64 MB of heap (see the pom): a store that buffered this payload, or its ~38 MB gzip,
        // would fail with an OutOfMemoryError.
        long length = 50L * 1024 * 1024;
        MessageDigest written = MessageDigest.getInstance("SHA-256");

        StoredPayload stored;
        try (InputStream payload = new DigestInputStream(new GeneratedPayload(length, 7), written)) {
            stored = store().write(payload);
        }

        assertThat(stored.ref()).isEqualTo("sha256:" + HexFormat.of().formatHex(written.digest()));
        assertThat(stored.size()).isEqualTo(length);
        assertThat(stored.compressedSize()).isGreaterThan(30L * 1024 * 1024).isLessThan(length);
        assertThat(store().compressedSize(stored.ref())).isEqualTo(stored.compressedSize());
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long readBytes;
        try (InputStream in = new DigestInputStream(store().open(stored.ref()), read)) {
            readBytes = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertThat(readBytes).isEqualTo(length);
        assertThat("sha256:" + HexFormat.of().formatHex(read.digest())).isEqualTo(stored.ref());
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void theCompressedFormIsOneGzipMemberOfTheStoredSize() throws Exception {
        byte[] json = GeneratedPayload.bytes(300_000, 3);

        StoredPayload stored = store().write(new ByteArrayInputStream(json));

        byte[] compressed;
        try (InputStream in = store().openCompressed(stored.ref())) {
            compressed = in.readAllBytes();
        }
        assertThat(compressed).hasSize((int) stored.compressedSize());
        assertThat(store().compressedSize(stored.ref())).isEqualTo(stored.compressedSize());
        assertThat(compressed[0] & 0xFF).isEqualTo(0x1F);
        assertThat(compressed[1] & 0xFF).isEqualTo(0x8B);
        assertThat(compressed[2]).isEqualTo((byte) 8);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
        // The trailer: CRC-32 and length of the uncompressed bytes, which archive-service copies into its ZIP.
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(json);
        int end = compressed.length;
        assertThat(littleEndian(compressed, end - 8)).isEqualTo(crc.getValue());
        assertThat(littleEndian(compressed, end - 4)).isEqualTo(json.length);
    }

    @Test
    void aRangeOfTheCompressedFormHoldsExactlyThoseBytes() throws Exception {
        StoredPayload stored = store().write(new ByteArrayInputStream(GeneratedPayload.bytes(200_000, 5)));
        byte[] whole;
        try (InputStream in = store().openCompressed(stored.ref())) {
            whole = in.readAllBytes();
        }
        int size = whole.length;

        assertThat(read(store().openCompressed(stored.ref(), 0, 10))).isEqualTo(Arrays.copyOf(whole, 10));
        assertThat(read(store().openCompressed(stored.ref(), size - 8, 8)))
                .isEqualTo(Arrays.copyOfRange(whole, size - 8, size));
        assertThat(read(store().openCompressed(stored.ref(), 1_000, 5_000)))
                .isEqualTo(Arrays.copyOfRange(whole, 1_000, 6_000));
        assertThat(read(store().openCompressed(stored.ref(), 1_000))).isEqualTo(Arrays.copyOfRange(whole, 1_000, size));
        assertThat(read(store().openCompressed(stored.ref(), size - 3, 100)))
                .isEqualTo(Arrays.copyOfRange(whole, size - 3, size));
        assertThat(read(store().openCompressed(stored.ref(), size))).isEmpty();
        assertThat(read(store().openCompressed(stored.ref(), size + 10, 5))).isEmpty();
        assertThat(read(store().openCompressed(stored.ref(), 5, 0))).isEmpty();
    }

    @Test
    void aReadClosedBeforeItsEndLeavesTheStoreReadable() throws Exception {
        StoredPayload stored = store().write(new ByteArrayInputStream(GeneratedPayload.bytes(2_000_000, 9)));

        for (int i = 0; i < 3; i++) {
            try (InputStream in = store().openCompressed(stored.ref())) {
                assertThat(in.readNBytes(10)).hasSize(10);
            }
        }

        assertThat(read(store().openCompressed(stored.ref(), stored.compressedSize() - 8))).hasSize(8);
    }

    @Test
    void existsTellsWhetherTheStoreHoldsAReference() throws Exception {
        byte[] json = "{\"resourceType\":\"Bundle\",\"id\":\"exists\"}".getBytes(StandardCharsets.UTF_8);
        String ref = "sha256:" + sha256(json);
        assertThat(store().exists(ref)).isFalse();

        store().write(new ByteArrayInputStream(json));

        assertThat(store().exists(ref)).isTrue();
    }

    @Test
    void aMissingReferenceIsReportedAsNotFound() {
        assertThat(store().exists(MISSING)).isFalse();
        assertThatThrownBy(() -> store().open(MISSING)).isInstanceOf(PayloadNotFoundException.class);
        assertThatThrownBy(() -> store().openCompressed(MISSING)).isInstanceOf(PayloadNotFoundException.class);
        assertThatThrownBy(() -> store().openCompressed(MISSING, 10, 8)).isInstanceOf(PayloadNotFoundException.class);
        assertThatThrownBy(() -> store().openCompressed(MISSING, 10, 0)).isInstanceOf(PayloadNotFoundException.class);
        assertThatThrownBy(() -> store().compressedSize(MISSING)).isInstanceOf(PayloadNotFoundException.class);
    }

    @Test
    void aReferenceThatIsNotASha256IsRefused() {
        for (String ref : List.of("sha256:../../etc/passwd", "sha256:" + "A".repeat(64), "md5:" + "0".repeat(64),
                "sha256:" + "0".repeat(63) + "/")) {
            assertThatThrownBy(() -> store().open(ref)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store().exists(ref)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aWriterClosedWithoutACommitLeavesNothingBehind() throws Exception {
        try (PayloadWriter writer = store().openWriter()) {
            writer.write(GeneratedPayload.bytes(1_000_000, 11));
            assertThat(writer.size()).isEqualTo(1_000_000);
            assertThat(spoolFiles()).hasSize(1);
        }

        assertThat(spoolFiles()).isEmpty();
        assertThat(storedObjects()).isEmpty();
    }

    @Test
    void aCommittedWriterAcceptsNoMoreBytes() throws Exception {
        try (PayloadWriter writer = store().openWriter()) {
            writer.write('1');
            writer.commit();

            assertThatThrownBy(() -> writer.write('2')).isInstanceOf(IOException.class);
            assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);
        }
        try (InputStream in = store().open("sha256:" + sha256(new byte[]{'1'}))) {
            assertThat(in.readAllBytes()).containsExactly('1');
        }
    }

    @Test
    void concurrentWritersOfTheSameBytesAllGetTheOneStoredPayload() throws Exception {
        byte[] json = GeneratedPayload.bytes(1_500_000, 13);
        int writers = 4;
        CountDownLatch ready = new CountDownLatch(writers);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(writers);
        try {
            Callable<StoredPayload> write = () -> {
                try (PayloadWriter writer = store().openWriter()) {
                    writer.write(json);
                    ready.countDown();
                    go.await();
                    return writer.commit();
                }
            };
            List<Future<StoredPayload>> futures = List.of(executor.submit(write), executor.submit(write),
                    executor.submit(write), executor.submit(write));
            ready.await();
            go.countDown();

            StoredPayload first = futures.get(0).get();
            for (Future<StoredPayload> future : futures) {
                assertThat(future.get()).isEqualTo(first);
            }
            assertThat(storedObjects()).hasSize(1);
            try (InputStream in = store().open(first.ref())) {
                assertThat(in.readAllBytes()).isEqualTo(json);
            }
            assertThat(spoolFiles()).isEmpty();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void anAvailableStoreSaysSo() throws Exception {
        store().checkAvailable();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(String text) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static long littleEndian(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFFL) | (bytes[offset + 1] & 0xFFL) << 8 | (bytes[offset + 2] & 0xFFL) << 16
                | (bytes[offset + 3] & 0xFFL) << 24;
    }
}
