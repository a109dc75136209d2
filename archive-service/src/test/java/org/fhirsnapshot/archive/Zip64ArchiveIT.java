package org.fhirsnapshot.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.StoredPayload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An archive over 4 GiB (ZIP64: offsets and sizes past 32 bits in the central directory) from generated payloads,
 * never held in memory: 16 distinct payloads of about 5.2 MB (random data, as incompressible as attachments are)
 * stored once each, referenced by 1,200 instances, so that the archive holds about 4.7 GB while the store holds
 * 63 MB. The archive is written to a file under {@code target/} (java.util.zip.ZipFile and unzip need a file) and
 * deleted afterwards. Slow (a minute or two, mostly writing and re-reading the file): a failsafe IT, run by
 * {@code mvn verify}.
 */
class Zip64ArchiveIT {

    private static final long FOUR_GIB = 1L << 32;
    private static final int DISTINCT = 16;
    private static final int INSTANCES = 1_200;

    private Path work;

    @BeforeEach
    void makeWorkDirectory() throws IOException {
        work = Files.createDirectories(Path.of("target", "zip64-it")).toAbsolutePath();
    }

    @AfterEach
    void deleteWorkDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void anArchiveOver4GibHasAZip64CentralDirectoryThatJavaAndUnzipRead() throws IOException {
        PayloadStore store = new FileSystemPayloadStore(work.resolve("store"));
        SplittableRandom random = new SplittableRandom(42);
        List<StoredPayload> payloads = new ArrayList<>();
        for (int i = 0; i < DISTINCT; i++) {
            byte[] noise = new byte[3_900_000];
            random.nextBytes(noise);
            byte[] payload = ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":"
                    + "{\"resourceType\":\"DocumentReference\",\"id\":\"d" + i + "\",\"content\":[{\"attachment\":"
                    + "{\"contentType\":\"application/pdf\",\"data\":\"" + Base64.getEncoder().encodeToString(noise)
                    + "\"}}]}}]}").getBytes(StandardCharsets.US_ASCII);
            payloads.add(store.write(new ByteArrayInputStream(payload)));
        }
        Instant fetched = Instant.parse("2026-11-25T08:30:00Z");
        PlannedArchive.Planner planner = new PlannedArchive.Planner(store, "big", ArchiveFilters.all());
        long payloadBytes = 0;
        for (int i = 0; i < INSTANCES; i++) {
            StoredPayload payload = payloads.get(i % DISTINCT);
            payloadBytes += payload.compressedSize();
            planner.add(new ArchiveEntry(i + 1, "MRN" + (i / 10), i % 10, "notes-" + (i % 10), "Notes",
                    "predefined", "DocumentReference?category=clinical-note", "completed", payload.ref(), fetched,
                    null, null, false, 1));
        }
        PlannedArchive plan = planner.finish();
        assertThat(plan.length()).isGreaterThan(FOUR_GIB).isGreaterThan(payloadBytes - INSTANCES * 18L);

        Path zipFile = work.resolve("big.zip");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(zipFile), 1 << 16)) {
            plan.writeTo(out, store, 0, plan.length() - 1, true);
        }
        assertThat(Files.size(zipFile)).isEqualTo(plan.length());

        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            assertThat(zip.size()).isEqualTo(INSTANCES + 2);
            // The last files start past 4 GiB: only a ZIP64 central directory can say where.
            ZipEntry last = zip.getEntry("MRN119/notes-9.json");
            assertThat(last.getSize()).isEqualTo(payloads.get((INSTANCES - 1) % DISTINCT).size());
            try (InputStream in = zip.getInputStream(last);
                    InputStream stored = store.open(
                            payloads.get((INSTANCES - 1) % DISTINCT).ref())) {
                assertThat(ZipChecks.sha256(in.readAllBytes())).isEqualTo(ZipChecks.sha256(stored.readAllBytes()));
            }
            byte[] manifest = zip.getInputStream(zip.getEntry("manifest.json")).readAllBytes();
            assertThat(new String(zip.getInputStream(zip.getEntry("manifest.sha256")).readAllBytes(),
                    StandardCharsets.US_ASCII)).isEqualTo(ZipChecks.sha256(manifest) + "  manifest.json\n");
            JsonNode files = new ObjectMapper().readTree(manifest).path("files");
            assertThat(files).hasSize(INSTANCES);
            for (JsonNode file : files) {
                ZipEntry entry = zip.getEntry(file.path("path").asText());
                try (InputStream in = zip.getInputStream(entry)) {
                    assertThat(ZipChecks.sha256(in)).as(entry.getName()).isEqualTo(file.path("sha256").asText());
                }
                assertThat(entry.getSize()).isEqualTo(file.path("size").asLong());
            }
        }
        String listing = ZipChecks.unzipList(zipFile);
        assertThat(listing).contains("MRN119/notes-9.json", "manifest.sha256", (INSTANCES + 2) + " files");
        ZipChecks.unzipTest(zipFile);
    }
}
