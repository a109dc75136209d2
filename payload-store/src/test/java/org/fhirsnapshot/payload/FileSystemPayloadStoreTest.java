package org.fhirsnapshot.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemPayloadStoreTest extends PayloadStoreContract {

    @TempDir
    Path root;

    private FileSystemPayloadStore store;

    @BeforeEach
    void createStore() {
        store = new FileSystemPayloadStore(root);
    }

    @Override
    PayloadStore store() {
        return store;
    }

    @Override
    List<String> storedObjects() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(file -> !file.getParent().equals(root.resolve("tmp")))
                    .map(file -> root.relativize(file).toString()).toList();
        }
    }

    @Override
    List<String> spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.map(Path::toString).toList();
        }
    }

    @Override
    void overwriteStoredBytes(String ref, byte[] bytes) throws IOException {
        Files.write(store.pathOf(ref), bytes);
    }

    @Test
    void aPayloadLivesUnderTwoLevelsOfItsDigest() throws Exception {
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        StoredPayload stored = store.write(new ByteArrayInputStream(json));

        String hex = stored.sha256();
        assertThat(storedObjects()).containsExactly(hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex
                + ".json.gz");
        assertThat(Files.size(store.pathOf(stored.ref()))).isEqualTo(stored.compressedSize());
    }

    @Test
    void aMissingDirectoryMakesTheStoreUnavailable() throws Exception {
        store.checkAvailable();
        Files.delete(root.resolve("tmp"));
        Files.delete(root);

        assertThatThrownBy(store::checkAvailable).isInstanceOf(IOException.class).hasMessageContaining("missing");
    }
}
