package org.fhirsnapshot.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
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
    void rejectsReferencesThatCouldLeaveTheStore() {
        FileSystemPayloadStore store = new FileSystemPayloadStore(root);

        assertThatThrownBy(() -> store.open("sha256:../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.exists("sha256:" + "0".repeat(64))).isFalse();
        assertThatThrownBy(() -> store.open("sha256:" + "0".repeat(64))).isInstanceOf(PayloadNotFoundException.class);
    }
}
