package org.fhirsnapshot.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemPayloadStoreTest {

    @TempDir
    Path root;

    @Test
    void storesBytesUnalteredUnderTheirSha256() throws Exception {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);
        byte[] json = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}".getBytes(StandardCharsets.UTF_8);

        StoredPayload stored = store.write(new ByteArrayInputStream(json));

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        assertThat(stored.ref()).isEqualTo("sha256:" + expected);
        assertThat(stored.size()).isEqualTo(json.length);
        try (InputStream in = store.open(stored.ref())) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
        try (InputStream in = new GZIPInputStream(store.openCompressed(stored.ref()))) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
    }

    @Test
    void writingTheSameBytesTwiceKeepsOneFileAndNoTemporaries() throws Exception {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        StoredPayload first = store.write(new ByteArrayInputStream(json));
        StoredPayload second = store.write(new ByteArrayInputStream(json));

        assertThat(second.ref()).isEqualTo(first.ref());
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(1);
        }
    }

    @Test
    void aStreamedPayloadGetsTheSameReferenceAndSizesAsTheSameBytesWrittenAtOnce() throws Exception {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);
        byte[] json = largeJson();

        StoredPayload streamed;
        try (PayloadWriter writer = store.openWriter()) {
            for (int offset = 0; offset < json.length; offset += 1_000) {
                writer.write(json, offset, Math.min(1_000, json.length - offset));
            }
            writer.write('\n');
            assertThat(writer.size()).isEqualTo(json.length + 1);
            streamed = writer.commit();
        }

        byte[] expected = Arrays.copyOf(json, json.length + 1);
        expected[json.length] = '\n';
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
        assertThat(streamed.ref()).isEqualTo("sha256:" + sha256);
        assertThat(streamed.size()).isEqualTo(expected.length);
        assertThat(streamed.compressedSize()).isEqualTo(Files.size(store.pathOf(streamed.ref())))
                .isLessThan(expected.length);
        try (InputStream in = store.open(streamed.ref())) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
        assertThat(store.write(new ByteArrayInputStream(expected))).isEqualTo(streamed);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void aWriterClosedWithoutACommitLeavesNothingBehind() throws Exception {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);

        try (PayloadWriter writer = store.openWriter()) {
            writer.write(largeJson());
            assertThat(temporaryFiles()).hasSize(1);
        }

        assertThat(temporaryFiles()).isEmpty();
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void streamingBytesStoredBeforeKeepsTheStoredFileAndRemovesTheTemporaryOne() throws Exception {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);
        byte[] json = "{\"b\":2}".getBytes(StandardCharsets.UTF_8);
        StoredPayload first = store.write(new ByteArrayInputStream(json));
        long modified = Files.getLastModifiedTime(store.pathOf(first.ref())).toMillis();

        StoredPayload second;
        try (PayloadWriter writer = store.openWriter()) {
            writer.write(json);
            second = writer.commit();
        }

        assertThat(second.ref()).isEqualTo(first.ref());
        assertThat(Files.getLastModifiedTime(store.pathOf(first.ref())).toMillis()).isEqualTo(modified);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void aCommittedWriterAcceptsNoMoreBytes() throws Exception {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);

        try (PayloadWriter writer = store.openWriter()) {
            writer.write('1');
            writer.commit();

            assertThatThrownBy(() -> writer.write('2')).isInstanceOf(IOException.class);
            assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);
        }
        try (InputStream in = store.open("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(new byte[]{'1'})))) {
            assertThat(in.readAllBytes()).containsExactly('1');
        }
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.toList();
        }
    }

    /** About 2 MB of JSON that compresses well. */
    private static byte[] largeJson() {
        StringBuilder json = new StringBuilder("{\"resourceType\":\"Bundle\",\"entry\":[");
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o")
                    .append(i).append("\",\"status\":\"final\",\"valueQuantity\":{\"value\":1.50}}}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rejectsReferencesThatCouldLeaveTheStore() {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);

        assertThatThrownBy(() -> store.open("sha256:../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.exists("sha256:" + "0".repeat(64))).isFalse();
        assertThatThrownBy(() -> store.open("sha256:" + "0".repeat(64))).isInstanceOf(PayloadNotFoundException.class);
    }
}
