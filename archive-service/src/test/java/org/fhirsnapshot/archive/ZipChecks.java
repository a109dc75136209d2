package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Opens an archive the way a recipient would: with {@code java.util.zip} (both the streaming reader and the central
 * directory reader, which must agree), with the standard {@code unzip -t} tool, and by checking
 * {@code manifest.sha256} against {@code manifest.json} and every file's SHA-256 and size against the manifest.
 */
final class ZipChecks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ZipChecks() {
    }

    /** Every check; returns the entries in archive order, by name. */
    static Map<String, byte[]> open(byte[] zip) {
        try {
            Path file = Files.createTempFile("archive-check-", ".zip");
            try {
                Files.write(file, zip);
                return open(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every check on a ZIP file; returns the entries in archive order, by name. */
    static Map<String, byte[]> open(Path file) throws IOException {
        unzipTest(file);
        Map<String, byte[]> streamed = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                assertThat(streamed).as("entries are unique").doesNotContainKey(entry.getName());
                streamed.put(entry.getName(), zip.readAllBytes());
            }
        }
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements();) {
                ZipEntry entry = entries.nextElement();
                names.add(entry.getName());
                try (InputStream in = zip.getInputStream(entry)) {
                    assertThat(in.readAllBytes()).as(entry.getName()).isEqualTo(streamed.get(entry.getName()));
                }
            }
        }
        assertThat(names).containsExactlyElementsOf(streamed.keySet());
        verifyManifest(streamed);
        return streamed;
    }

    /** {@code unzip -t}: the standard tool reads the archive and checks every entry's CRC-32. */
    static void unzipTest(Path file) throws IOException {
        String output = run(List.of("unzip", "-tq", file.toString()));
        assertThat(output).contains("No errors detected");
    }

    /** {@code unzip -l}: the standard tool's listing. */
    static String unzipList(Path file) throws IOException {
        return run(List.of("unzip", "-l", file.toString()));
    }

    private static String run(List<String> command) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("the standard unzip tool is needed for these tests (apt-get install unzip)", e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** manifest.sha256 is the digest of manifest.json, which ends the archive, and lists every file's digest. */
    static JsonNode verifyManifest(Map<String, byte[]> entries) throws IOException {
        List<String> names = new ArrayList<>(entries.keySet());
        assertThat(names.subList(Math.max(0, names.size() - 2), names.size()))
                .as("the manifest and its digest come last").containsExactly("manifest.json", "manifest.sha256");
        byte[] manifestBytes = entries.get("manifest.json");
        assertThat(new String(entries.get("manifest.sha256"), StandardCharsets.US_ASCII))
                .isEqualTo(sha256(manifestBytes) + "  manifest.json\n");
        JsonNode manifest = JSON.readTree(manifestBytes);
        for (JsonNode file : manifest.path("files")) {
            byte[] bytes = entries.get(file.path("path").asText());
            assertThat(bytes).as(file.path("path").asText()).isNotNull();
            assertThat(file.path("sha256").asText()).as(file.path("path").asText()).isEqualTo(sha256(bytes));
            assertThat(file.path("size").asLong()).as(file.path("path").asText()).isEqualTo(bytes.length);
        }
        assertThat(entries).hasSize(manifest.path("files").size() + 2);
        return manifest;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, byte[]> readStreamed(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
