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
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.FileSystemPayloadStore;
import org.fhirsnapshot.payload.PayloadStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant FETCHED = Instant.parse("2026-11-25T08:30:00Z");

    @TempDir
    Path storeDirectory;
    private PayloadStore store;
    private long nextId = 1;

    @BeforeEach
    void openStore() {
        store = new FileSystemPayloadStore(storeDirectory);
    }

    @Test
    void completedInstancesBecomeFilesHoldingTheStoredBytesUnaltered() throws IOException {
        String labs = bundle(observation("lab-1", "1.50"), observation("lab-2", "7"));
        String vitals = "{\n  \"resourceType\" : \"Bundle\",   \"entry\": [ ]\n}";
        ArchiveEntry first = completed("MRN1", 1, "laboratory", labs, 2);
        ArchiveEntry second = completed("MRN1", 2, "vital-signs", vitals, 0);
        ArchiveEntry third = completed("MRN2", 1, "laboratory", labs, 2);

        Map<String, byte[]> zip = write(ArchiveFilters.all(), first, second, third);

        assertThat(zip.keySet()).containsExactly("MRN1/laboratory.json", "MRN1/vital-signs.json",
                "MRN2/laboratory.json", ArchiveWriter.MANIFEST, ArchiveWriter.MANIFEST_DIGEST);
        assertThat(zip.get("MRN1/laboratory.json")).isEqualTo(labs.getBytes(StandardCharsets.UTF_8));
        assertThat(zip.get("MRN1/vital-signs.json")).isEqualTo(vitals.getBytes(StandardCharsets.UTF_8));
        assertThat(zip.get("MRN2/laboratory.json")).isEqualTo(labs.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void manifestCountsFilesFailuresProtectedRecordsAndResources() throws IOException {
        ArchiveEntry labs = completed("MRN1", 1, "laboratory", bundle(observation("a", "1"), observation("b", "2")),
                2);
        ArchiveEntry meds = completed("MRN1", 2, "medications", bundle(), 0);
        ArchiveEntry unknown = failed("MRN404", 1, "laboratory", "not_found", false);
        ArchiveEntry restricted = failed("MRN666", 1, "laboratory", "protected", true);

        Map<String, byte[]> zip = write(ArchiveFilters.all(), labs, meds, unknown, restricted);
        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));

        assertThat(manifest.path("format").asText()).isEqualTo("json");
        assertThat(manifest.path("project").asText()).isEqualTo("demo");
        assertThat(manifest.path("asOf").asText()).isEqualTo(FETCHED.toString());
        assertThat(manifest.has("createdAt")).isFalse();
        JsonNode counts = manifest.path("counts");
        assertThat(counts.path("files").asInt()).isEqualTo(2);
        assertThat(counts.path("completed").asInt()).isEqualTo(2);
        assertThat(counts.path("failed").asInt()).isEqualTo(2);
        assertThat(counts.path("protected").asInt()).isEqualTo(1);
        assertThat(counts.path("resources").asLong()).isEqualTo(2);

        JsonNode file = manifest.path("files").get(0);
        assertThat(file.path("path").asText()).isEqualTo("MRN1/laboratory.json");
        assertThat(file.path("mrn").asText()).isEqualTo("MRN1");
        assertThat(file.path("mappingId").asLong()).isEqualTo(1);
        assertThat(file.path("mappingKey").asText()).isEqualTo("laboratory");
        assertThat(file.path("mappingName").asText()).isEqualTo("Laboratory");
        assertThat(file.path("status").asText()).isEqualTo("completed");
        assertThat(file.path("fetchedAt").asText()).isEqualTo(FETCHED.toString());
        assertThat(file.path("query").asText()).isEqualTo("Observation?category=laboratory");
        assertThat(file.path("resources").asInt()).isEqualTo(2);

        List<JsonNode> failures = new ArrayList<>();
        manifest.path("failed").forEach(failures::add);
        assertThat(failures).extracting(f -> f.path("mrn").asText(), f -> f.path("errorClass").asText(),
                f -> f.path("protected").asBoolean(), f -> f.path("status").asText())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("MRN404", "not_found", false, "failed"),
                        org.assertj.core.groups.Tuple.tuple("MRN666", "protected", true, "failed"));
    }

    @Test
    void manifestSha256AndSizeMatchTheBytesOfEachFile() throws IOException {
        ArchiveEntry labs = completed("MRN1", 1, "laboratory", bundle(observation("a", "1")), 1);
        ArchiveEntry vitals = completed("MRN2", 2, "vital-signs", bundle(observation("v", "98.6")), 1);

        Map<String, byte[]> zip = write(ArchiveFilters.all(), labs, vitals);
        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));

        assertThat(manifest.path("files")).hasSize(2);
        for (JsonNode file : manifest.path("files")) {
            byte[] bytes = zip.get(file.path("path").asText());
            assertThat(file.path("sha256").asText()).isEqualTo(sha256(bytes));
            assertThat(file.path("size").asLong()).isEqualTo(bytes.length);
        }
    }

    @Test
    void manifestIsTheLastEntryAndAnEmptyArchiveHoldsOnlyIt() throws IOException {
        Map<String, byte[]> zip = write(ArchiveFilters.all());

        assertThat(zip.keySet()).containsExactly(ArchiveWriter.MANIFEST, ArchiveWriter.MANIFEST_DIGEST);
        JsonNode counts = JSON.readTree(zip.get(ArchiveWriter.MANIFEST)).path("counts");
        assertThat(counts.path("files").asInt()).isZero();
        assertThat(counts.path("failed").asInt()).isZero();
    }

    @Test
    void hostileMrnsAndKeysNeverEscapeTheirFolder() throws IOException {
        String payload = bundle();
        List<ArchiveEntry> entries = new ArrayList<>();
        for (String mrn : List.of("../../etc", "a/b", "a\\b", "..", ".", "/abs", "a\u0000b", "\u0007")) {
            entries.add(completed(mrn, 1, "../../passwd", payload, 0));
        }

        Map<String, byte[]> zip = write(ArchiveFilters.all(), entries.toArray(ArchiveEntry[]::new));

        assertThat(zip).hasSize(entries.size() + 2);
        for (String name : zip.keySet()) {
            if (name.startsWith("manifest.")) {
                continue;
            }
            String[] segments = name.split("/", -1);
            assertThat(segments).as(name).hasSize(2);
            assertThat(segments).as(name).doesNotContain("", ".", "..");
            assertThat(name).doesNotContain("\\", "\u0000", "\u0007");
            assertThat(segments[1]).isEqualTo("%2E.%2F..%2Fpasswd.json");
        }
        // The manifest still tells which MRN each folder holds.
        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));
        assertThat(manifest.path("files").get(0).path("mrn").asText()).isEqualTo("../../etc");
        assertThat(manifest.path("files").get(0).path("path").asText()).isEqualTo("%2E.%2F..%2Fetc/"
                + "%2E.%2F..%2Fpasswd.json");
    }

    @Test
    void aCompletedInstanceWhosePayloadIsMissingIsListedAsFailedAndTheArchiveStaysValid() throws IOException {
        ArchiveEntry present = completed("MRN1", 1, "laboratory", bundle(), 0);
        ArchiveEntry missing = new ArchiveEntry(nextId++, "MRN2", 1, "laboratory", "Laboratory", "Observation",
                "Observation?category=laboratory", "completed", "sha256:" + "0".repeat(64), FETCHED, null, null, false,
                3);

        Map<String, byte[]> zip = write(ArchiveFilters.all(), present, missing);
        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));

        assertThat(zip.keySet()).containsExactly("MRN1/laboratory.json", ArchiveWriter.MANIFEST,
                ArchiveWriter.MANIFEST_DIGEST);
        assertThat(manifest.path("counts").path("completed").asInt()).isEqualTo(1);
        assertThat(manifest.path("failed").get(0).path("mrn").asText()).isEqualTo("MRN2");
        assertThat(manifest.path("failed").get(0).path("status").asText()).isEqualTo("completed");
        assertThat(manifest.path("failed").get(0).path("errorClass").asText()).isEqualTo("payload_missing");
    }

    @Test
    void aPayloadThatDoesNotMatchItsReferenceAbortsTheArchiveWithoutACentralDirectory() throws IOException {
        String claimed = "{\"resourceType\":\"Bundle\"}";
        String ref = "sha256:" + sha256(claimed.getBytes(StandardCharsets.UTF_8));
        // Other bytes under that reference, as a broken store or a tampered volume would hold them.
        String hex = ref.substring(7);
        Path file = storeDirectory.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4))
                .resolve(hex + ".json.gz");
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("{\"resourceType\":\"Tampered\"}".getBytes(StandardCharsets.UTF_8));
        }
        ArchiveEntry good = completed("MRN1", 1, "laboratory", bundle(), 0);
        ArchiveEntry tampered = new ArchiveEntry(nextId++, "MRN2", 1, "laboratory", "Laboratory", "Observation",
                "Observation", "completed", ref, FETCHED, null, null, false, 0);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter writer = new ArchiveWriter(out, store, "demo", ArchiveFilters.all(), 6);
        writer.add(good);
        assertThatThrownBy(() -> writer.add(tampered)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not match its reference").hasMessageNotContaining("MRN2");
        writer.close();

        byte[] bytes = out.toByteArray();
        assertThat(bytes).isNotEmpty();
        assertThat(containsEndOfCentralDirectory(bytes)).isFalse();
    }

    @Test
    void closingWithoutFinishingWritesNoCentralDirectory() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArchiveWriter writer = new ArchiveWriter(out, store, "demo", ArchiveFilters.all(), 6)) {
            writer.add(completed("MRN1", 1, "laboratory", bundle(observation("a", "1")), 1));
        }
        assertThat(containsEndOfCentralDirectory(out.toByteArray())).isFalse();
    }

    @Test
    void moreThan65535EntriesGetAZip64CentralDirectoryThatReadersAccept(@TempDir Path target) throws IOException {
        String ref = store.write(new ByteArrayInputStream(bundle().getBytes(StandardCharsets.UTF_8))).ref();
        int entries = 65_600;
        Path zipFile = target.resolve("big.zip");
        try (OutputStream out = Files.newOutputStream(zipFile);
                ArchiveWriter writer = new ArchiveWriter(out, store, "demo", ArchiveFilters.all(), 1)) {
            for (int i = 0; i < entries; i++) {
                writer.add(new ArchiveEntry(i + 1, "M" + (i / 10), i % 10, "k" + (i % 10), "K", "Observation",
                        "Observation", "completed", ref, FETCHED, null, null, false, 0));
            }
            writer.finish();
        }
        ZipChecks.unzipTest(zipFile);
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            assertThat(zip.size()).isEqualTo(entries + 2);
            ZipEntry last = zip.getEntry(ArchiveWriter.MANIFEST);
            assertThat(last).isNotNull();
            assertThat(zip.getInputStream(zip.getEntry("M6559/k9.json")).readAllBytes())
                    .isEqualTo(bundle().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void ndjsonPutsEachResourceTypeInOneFileAcrossMrnsWithoutOutcomeEntries() throws IOException {
        String first = bundle(observation("o1", "1.50"), observation("o2", "2"), outcome());
        String second = bundle(observation("o3", "3"), patient("p2"));
        String empty = bundle(outcome());
        ArchiveFilters ndjson = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.ndjson, null, null);

        Map<String, byte[]> zip = write(ndjson, completed("MRN1", 1, "laboratory", first, 2),
                completed("MRN2", 1, "laboratory", second, 2), completed("MRN3", 1, "laboratory", empty, 0),
                failed("MRN4", 1, "laboratory", "not_found", false));

        assertThat(zip.keySet()).containsExactly("Observation.ndjson", "Patient.ndjson", ArchiveWriter.MANIFEST,
                ArchiveWriter.MANIFEST_DIGEST);
        List<String> observations = lines(zip.get("Observation.ndjson"));
        assertThat(observations).hasSize(3);
        assertThat(observations).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
        assertThat(observations.stream().map(line -> readTree(line).path("id").asText()))
                .containsExactly("o1", "o2", "o3");
        // Decimals stay exactly as the EHR wrote them.
        assertThat(observations.get(0)).contains("\"value\":1.50");
        assertThat(lines(zip.get("Patient.ndjson"))).hasSize(1);

        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));
        assertThat(manifest.path("format").asText()).isEqualTo("ndjson");
        assertThat(manifest.path("counts").path("files").asInt()).isEqualTo(2);
        assertThat(manifest.path("counts").path("completed").asInt()).isEqualTo(3);
        assertThat(manifest.path("counts").path("failed").asInt()).isEqualTo(1);
        assertThat(manifest.path("counts").path("resources").asLong()).isEqualTo(4);
        assertThat(manifest.path("sources")).hasSize(3);
        JsonNode observationFile = manifest.path("files").get(0);
        assertThat(observationFile.path("resourceType").asText()).isEqualTo("Observation");
        assertThat(observationFile.path("resources").asLong()).isEqualTo(3);
        assertThat(observationFile.path("sha256").asText()).isEqualTo(sha256(zip.get("Observation.ndjson")));
    }

    @Test
    void ndjsonStartsWritingTheSearchedTypesFileBeforeTheLastPayloadIsRead() throws IOException {
        CountingOutputStream out = new CountingOutputStream();
        RecordingStore recording = new RecordingStore(store, out);
        List<ArchiveEntry> entries = new ArrayList<>();
        List<String> expectedIds = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int p = 0; p < 8; p++) {
            List<String> resources = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                // Ids that do not compress away, so that the deflater has lines to emit while the payloads are read.
                String id = "o" + p + "-" + i + "-" + Long.toHexString(random.nextLong())
                        + Long.toHexString(random.nextLong());
                resources.add(observation(id, i + ".25"));
                expectedIds.add(id);
            }
            resources.add(patient("p" + p));
            entries.add(completed("MRN" + p, 1, "laboratory", bundle(resources.toArray(String[]::new)), 301));
        }
        ArchiveFilters ndjson = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.ndjson, null, null);

        try (ArchiveWriter writer = new ArchiveWriter(out, recording, "demo", ndjson, 6)) {
            for (ArchiveEntry entry : entries) {
                writer.add(entry);
            }
            writer.finish();
        }

        // When the last payload was first opened, Observation.ndjson had begun: its local header and deflated lines.
        String lastRef = entries.get(entries.size() - 1).payloadRef();
        long writtenBeforeLastOpen = recording.writtenAtFirstOpen(lastRef);
        byte[] early = java.util.Arrays.copyOf(out.bytes(), (int) writtenBeforeLastOpen);
        assertThat(new String(early, StandardCharsets.ISO_8859_1)).startsWith("PK\u0003\u0004")
                .contains("Observation.ndjson");
        assertThat(writtenBeforeLastOpen).isGreaterThan(1_000);
        // Each payload is read once for its Observations; only the Patient it includes makes it read again.
        assertThat(recording.opens()).hasSize(16);
        assertThat(recording.opens().subList(0, 8)).containsExactlyElementsOf(
                entries.stream().map(ArchiveEntry::payloadRef).toList());

        Map<String, byte[]> zip = ZipChecks.open(out.bytes());
        assertThat(zip.keySet()).containsExactly("Observation.ndjson", "Patient.ndjson", ArchiveWriter.MANIFEST,
                ArchiveWriter.MANIFEST_DIGEST);
        assertThat(lines(zip.get("Observation.ndjson")).stream().map(l -> readTree(l).path("id").asText()))
                .containsExactlyElementsOf(expectedIds);
        assertThat(lines(zip.get("Patient.ndjson")).stream().map(l -> readTree(l).path("id").asText()))
                .containsExactly("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7");
    }

    @Test
    void ndjsonWritesTypesMetInOtherMappingsPayloadsIntoTheirOneFileReReadingOnlyThePayloadsHoldingThem()
            throws IOException {
        CountingOutputStream out = new CountingOutputStream();
        RecordingStore recording = new RecordingStore(store, out);
        ArchiveEntry labs = completed("MRN1", 1, "laboratory", "Observation",
                bundle(observation("o1", "1"), observation("o2", "2")), 2);
        // A Condition search whose Bundle also holds an Observation (say, _include'd evidence) and a Patient.
        ArchiveEntry problems = completed("MRN1", 2, "problems", "Condition",
                bundle(undated("Condition", "c1"), observation("o3", "3"), patient("p1"), outcome()), 3);
        ArchiveEntry moreLabs = completed("MRN2", 1, "laboratory", "Observation", bundle(observation("o4", "4")), 1);
        ArchiveEntry moreProblems = completed("MRN2", 2, "problems", "Condition", bundle(undated("Condition", "c2")),
                1);
        ArchiveFilters ndjson = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.ndjson, null, null);

        try (ArchiveWriter writer = new ArchiveWriter(out, recording, "demo", ndjson, 6)) {
            for (ArchiveEntry entry : List.of(labs, problems, moreLabs, moreProblems)) {
                writer.add(entry);
            }
            writer.finish();
        }
        Map<String, byte[]> zip = ZipChecks.open(out.bytes());

        // The first mapping's type is written first, as the payloads come; then the other types, by name.
        assertThat(zip.keySet()).containsExactly("Observation.ndjson", "Condition.ndjson", "Patient.ndjson",
                ArchiveWriter.MANIFEST, ArchiveWriter.MANIFEST_DIGEST);
        assertThat(lines(zip.get("Observation.ndjson")).stream().map(l -> readTree(l).path("id").asText()))
                .containsExactly("o1", "o2", "o3", "o4");
        assertThat(lines(zip.get("Condition.ndjson")).stream().map(l -> readTree(l).path("id").asText()))
                .containsExactly("c1", "c2");
        assertThat(lines(zip.get("Patient.ndjson"))).hasSize(1);
        // labs and moreLabs once; problems three times (first read, Condition, Patient); moreProblems twice.
        assertThat(recording.opens()).containsExactly(labs.payloadRef(), problems.payloadRef(),
                moreLabs.payloadRef(), moreProblems.payloadRef(), problems.payloadRef(), moreProblems.payloadRef(),
                problems.payloadRef());

        // The manifest is as it always was: files by type, sources in the order listed.
        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));
        assertThat(manifest.path("files").findValuesAsText("resourceType")).containsExactly("Condition",
                "Observation", "Patient");
        assertThat(manifest.path("counts").path("resources").asLong()).isEqualTo(7);
        assertThat(manifest.path("counts").path("files").asInt()).isEqualTo(3);
        assertThat(manifest.path("sources")).hasSize(4);
    }

    @Test
    void clinicalDateFilterRewritesBundlesKeepingUndatedResourcesAndSaysSoInTheManifest() throws IOException {
        String labs = bundle(dated("Observation", "old", "effectiveDateTime", "2019-12-31T23:59:59Z", "1.50"),
                dated("Observation", "jan", "effectiveDateTime", "2020-01-15", "2.0"),
                dated("Observation", "edge", "effectiveDateTime", "2020-02-01T00:00:00Z", "3"),
                dated("Observation", "span", "effectivePeriod", "{\"start\":\"2019-06\",\"end\":\"2020-01\"}", "4"),
                undated("Observation", "nodate"), outcome());
        String stored = labs;
        ArchiveEntry entry = completed("MRN1", 1, "laboratory", labs, 5);
        ArchiveEntry allOld = completed("MRN2", 1, "laboratory",
                bundle(dated("Observation", "ancient", "effectiveDateTime", "2001", "1")), 1);
        ArchiveFilters january = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.json, null, null, List.of(),
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-02-01T00:00:00Z"));

        Map<String, byte[]> zip = write(january, entry, allOld);

        // The payload whose resources all fall outside the range gets no file.
        assertThat(zip.keySet()).containsExactly("MRN1/laboratory.json", ArchiveWriter.MANIFEST,
                ArchiveWriter.MANIFEST_DIGEST);
        JsonNode bundle = JSON.readTree(zip.get("MRN1/laboratory.json"));
        List<String> ids = new ArrayList<>();
        bundle.path("entry").forEach(e -> ids.add(e.path("resource").path("id").asText(
                e.path("resource").path("resourceType").asText())));
        // from inclusive, to exclusive; a period overlapping the range is kept; undated and outcome entries stay.
        assertThat(ids).containsExactly("jan", "span", "nodate", "OperationOutcome");
        assertThat(bundle.path("type").asText()).isEqualTo("searchset");
        assertThat(new String(zip.get("MRN1/laboratory.json"), StandardCharsets.UTF_8)).contains("\"value\":2.0");

        JsonNode manifest = JSON.readTree(zip.get(ArchiveWriter.MANIFEST));
        JsonNode file = manifest.path("files").get(0);
        assertThat(file.path("filtered").asBoolean()).isTrue();
        assertThat(file.path("payloadSha256").asText()).isEqualTo(sha256(stored.getBytes(StandardCharsets.UTF_8)));
        assertThat(file.path("resources").asLong()).isEqualTo(3);
        assertThat(file.path("undated").asLong()).isEqualTo(1);
        JsonNode counts = manifest.path("counts");
        assertThat(counts.path("resources").asLong()).isEqualTo(3);
        assertThat(counts.path("undated").asLong()).isEqualTo(1);
        assertThat(counts.path("excluded").asLong()).isEqualTo(3);
        assertThat(counts.path("emptyAfterFilter").asInt()).isEqualTo(1);
        assertThat(manifest.path("filters").path("from").asText()).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(manifest.path("filters").path("to").asText()).isEqualTo("2020-02-01T00:00:00Z");
    }

    @Test
    void typeFilterKeepsOnlyThoseResourceTypesInJsonAndNdjson() throws IOException {
        String mixed = bundle(observation("o1", "1"), patient("p1"), dated("Condition", "c1", "recordedDate",
                "2020-01-01", null));
        ArchiveEntry entry = completed("MRN1", 1, "everything", mixed, 3);
        ArchiveFilters json = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.json, null, null,
                List.of("Condition", "Patient"), null, null);
        ArchiveFilters ndjson = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.ndjson, null, null,
                List.of("Condition", "Patient"), null, null);

        Map<String, byte[]> jsonZip = write(json, entry);
        List<String> types = new ArrayList<>();
        JSON.readTree(jsonZip.get("MRN1/everything.json")).path("entry")
                .forEach(e -> types.add(e.path("resource").path("resourceType").asText()));
        assertThat(types).containsExactly("Patient", "Condition");
        JsonNode jsonCounts = JSON.readTree(jsonZip.get(ArchiveWriter.MANIFEST)).path("counts");
        assertThat(jsonCounts.path("excluded").asLong()).isEqualTo(1);
        assertThat(jsonCounts.has("undated")).as("no date range, no undated count").isFalse();

        Map<String, byte[]> ndjsonZip = write(ndjson, entry);
        assertThat(ndjsonZip.keySet()).containsExactly("Condition.ndjson", "Patient.ndjson", ArchiveWriter.MANIFEST,
                ArchiveWriter.MANIFEST_DIGEST);
    }

    @Test
    void ndjsonAppliesTheClinicalDateRangePerResource() throws IOException {
        String payload = bundle(dated("Encounter", "e-in", "period", "{\"start\":\"2021-03-01T10:00:00+01:00\"}", null),
                dated("Encounter", "e-out", "period", "{\"start\":\"2019-01-01\",\"end\":\"2019-01-02\"}", null),
                undated("Encounter", "e-none"), dated("Immunization", "i1", "occurrenceDateTime", "2021-05", null));
        ArchiveFilters since2021 = new ArchiveFilters(List.of(), List.of(), ArchiveFormat.ndjson, null, null,
                List.of(), Instant.parse("2021-01-01T00:00:00Z"), null);

        Map<String, byte[]> zip = write(since2021, completed("MRN1", 1, "encounters", payload, 4));

        assertThat(lines(zip.get("Encounter.ndjson")).stream().map(l -> readTree(l).path("id").asText()))
                .containsExactly("e-in", "e-none");
        assertThat(lines(zip.get("Immunization.ndjson"))).hasSize(1);
        JsonNode counts = JSON.readTree(zip.get(ArchiveWriter.MANIFEST)).path("counts");
        assertThat(counts.path("resources").asLong()).isEqualTo(3);
        assertThat(counts.path("undated").asLong()).isEqualTo(1);
        assertThat(counts.path("excluded").asLong()).isEqualTo(1);
    }

    @Test
    void theManifestIsTheSameBytesForTheSameDataWhenEverItIsMade() throws IOException {
        ArchiveEntry labs = completed("MRN1", 1, "laboratory", bundle(observation("a", "1")), 1);
        ArchiveEntry failed = failed("MRN2", 1, "laboratory", "not_found", false);

        byte[] first = write(ArchiveFilters.all(), labs, failed).get(ArchiveWriter.MANIFEST);
        byte[] second = write(ArchiveFilters.all(), labs, failed).get(ArchiveWriter.MANIFEST);

        assertThat(second).isEqualTo(first);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private Map<String, byte[]> write(ArchiveFilters filters, ArchiveEntry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArchiveWriter writer = new ArchiveWriter(out, store, "demo", filters, 6)) {
            for (ArchiveEntry entry : entries) {
                writer.add(entry);
            }
            writer.finish();
        }
        assertThat(containsEndOfCentralDirectory(out.toByteArray())).isTrue();
        return ZipChecks.open(out.toByteArray());
    }

    private ArchiveEntry completed(String mrn, long mappingId, String key, String payload, int resources)
            throws IOException {
        String ref = store.write(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8))).ref();
        return new ArchiveEntry(nextId++, mrn, mappingId, key, name(key), "Observation",
                "Observation?category=" + key, "completed", ref, FETCHED, null, null, false, resources);
    }

    private ArchiveEntry completed(String mrn, long mappingId, String key, String searchedType, String payload,
            int resources) throws IOException {
        String ref = store.write(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8))).ref();
        return new ArchiveEntry(nextId++, mrn, mappingId, key, name(key), searchedType,
                searchedType + "?category=" + key, "completed", ref, FETCHED, null, null, false, resources);
    }

    /** An output stream that keeps what is written, to see how far the archive had got at a given moment. */
    private static final class CountingOutputStream extends ByteArrayOutputStream {

        byte[] bytes() {
            return toByteArray();
        }

        synchronized long count() {
            return count;
        }
    }

    /**
     * The real file-system store, recording which payloads are opened (fully, as the streamed writer reads them) and
     * how many archive bytes had been written at each open.
     */
    private static final class RecordingStore implements PayloadStore {

        private final PayloadStore store;
        private final List<String> opens = new ArrayList<>();
        private final List<Long> writtenAtOpens = new ArrayList<>();
        private final CountingOutputStream out;

        RecordingStore(PayloadStore store, CountingOutputStream out) {
            this.store = store;
            this.out = out;
        }

        List<String> opens() {
            return opens;
        }

        /** Bytes of the archive written when {@code ref} was first opened. */
        long writtenAtFirstOpen(String ref) {
            return writtenAtOpens.get(opens.indexOf(ref));
        }

        @Override
        public org.fhirsnapshot.payload.PayloadWriter openWriter() throws IOException {
            return store.openWriter();
        }

        @Override
        public java.io.InputStream open(String ref) throws IOException {
            opens.add(ref);
            writtenAtOpens.add(out.count());
            return store.open(ref);
        }

        @Override
        public java.io.InputStream openCompressed(String ref, long offset, long length) throws IOException {
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

    private ArchiveEntry failed(String mrn, long mappingId, String key, String errorClass, boolean restricted) {
        return new ArchiveEntry(nextId++, mrn, mappingId, key, name(key), "Observation", "Observation?category=" + key,
                "failed", null, FETCHED, errorClass, "The EHR answered " + errorClass + ".", restricted, 0);
    }

    private static String name(String key) {
        return key.isEmpty() ? key : Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }

    private static String bundle(String... entries) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":" + entries.length + ",\"entry\":["
                + String.join(",", entries) + "]}";
    }

    private static String observation(String id, String value) {
        return "{\"fullUrl\":\"http://ehr/fhir/Observation/" + id + "\",\"resource\":{\"resourceType\":\"Observation\","
                + "\"id\":\"" + id + "\",\"status\":\"final\",\"valueQuantity\":{\"value\":" + value
                + ",\"unit\":\"mg\"}},\"search\":{\"mode\":\"match\"}}";
    }

    private static String dated(String type, String id, String element, String value, String quantity) {
        String date = value.startsWith("{") ? value : "\"" + value + "\"";
        String valuePart = quantity == null ? "" : ",\"valueQuantity\":{\"value\":" + quantity + "}";
        return "{\"resource\":{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\",\"" + element + "\":" + date
                + valuePart + "},\"search\":{\"mode\":\"match\"}}";
    }

    private static String undated(String type, String id) {
        return "{\"resource\":{\"resourceType\":\"" + type + "\",\"id\":\"" + id
                + "\"},\"search\":{\"mode\":\"match\"}}";
    }

    private static String patient(String id) {
        return "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"" + id + "\"},\"search\":{\"mode\":\"include\"}}";
    }

    private static String outcome() {
        return "{\"resource\":{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\","
                + "\"code\":\"informational\",\"details\":{\"coding\":[{\"code\":\"4101\"}]}}]},"
                + "\"search\":{\"mode\":\"outcome\"}}";
    }

    private static List<String> lines(byte[] ndjson) {
        String text = new String(ndjson, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return List.of(text.split("\n"));
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean containsEndOfCentralDirectory(byte[] zip) {
        // "PK\5\6": the end-of-central-directory record that every complete ZIP ends with.
        for (int i = zip.length - 4; i >= 0; i--) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 5 && zip[i + 3] == 6) {
                return true;
            }
        }
        return false;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
