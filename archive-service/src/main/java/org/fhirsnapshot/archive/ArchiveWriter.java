package org.fhirsnapshot.archive;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.PayloadNotFoundException;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.StoredPayload;

/**
 * Writes one archive as a ZIP to an output stream, entry by entry, as the instances come: no temporary file, and no
 * payload held in memory (each is streamed from the store into its entry). The only state that grows with the
 * archive is the manifest's list, written last as {@code manifest.json}.
 * <p>
 * Format {@code json}: {@code {mrn}/{mapping-key}.json} per completed instance, the stored bytes unaltered. Format
 * {@code ndjson}: {@code {ResourceType}.ndjson} across MRNs, one resource a line, outcome entries left out; its
 * payloads are read twice (once to learn which types each holds, once per type it holds), so memory stays bounded
 * by the largest single resource.
 * <p>
 * Use: {@link #add} every instance, then {@link #finish}, then {@link #close}. If anything fails, close without
 * finishing: the stream then ends without a central directory, so that no ZIP reader mistakes the truncated archive
 * for a complete one.
 * Entries use ZIP64 where needed (more than 65,535 entries, more than 4 GiB in all); a single payload larger than
 * 4 GiB is refused, since its size is unknown when its local header is written to a stream.
 */
public final class ArchiveWriter implements AutoCloseable {

    public static final String MANIFEST = "manifest.json";
    private static final String COMPLETED = "completed";
    private static final String PAYLOAD_MISSING = "payload_missing";

    private static final ObjectMapper MANIFEST_JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();
    /** Reads resources with their decimals exact ({@code 1.50} stays {@code 1.50}). */
    private static final ObjectMapper RESOURCE_JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private final OutputGate gate;
    private final ZipArchiveOutputStream zip;
    private final PayloadStore store;
    private final String project;
    private final ArchiveFilters filters;
    private final Instant createdAt;
    private final ZipEntryNames names = new ZipEntryNames();

    private final List<Manifest.PayloadFile> payloads = new ArrayList<>();
    private final List<Map<String, Long>> typesOfPayloads = new ArrayList<>();
    private final List<Manifest.FailedInstance> failed = new ArrayList<>();
    private int protectedRecords;
    private boolean finished;
    private boolean complete;
    private int filesWritten;

    /**
     * @param out where the ZIP goes; not closed
     * @param store where the payloads are
     * @param project the project key, for the manifest
     * @param filters what was asked for (its format decides the layout)
     * @param createdAt when the download started
     * @param compressionLevel deflate level, 0 to 9
     */
    public ArchiveWriter(OutputStream out, PayloadStore store, String project, ArchiveFilters filters,
            Instant createdAt, int compressionLevel) {
        this.gate = new OutputGate(out);
        this.zip = new ZipArchiveOutputStream(gate);
        this.zip.setUseZip64(Zip64Mode.AsNeeded);
        this.zip.setLevel(compressionLevel);
        this.store = store;
        this.project = project;
        this.filters = filters;
        this.createdAt = createdAt;
        names.reserve(MANIFEST);
    }

    /** Adds one instance: a completed one as a file (or, for ndjson, as a source), a failed one to the manifest. */
    public void add(ArchiveEntry entry) throws IOException {
        if (finished) {
            throw new IllegalStateException("the archive is finished");
        }
        if (entry.protectedRecord()) {
            protectedRecords++;
        }
        if (!COMPLETED.equals(entry.status())) {
            failed.add(failure(entry, entry.errorClass(), entry.error()));
            return;
        }
        InputStream payload = openPayload(entry);
        if (payload == null) {
            failed.add(failure(entry, PAYLOAD_MISSING,
                    "The instance is completed but its payload is not in the payload store; fetch it again."));
            return;
        }
        try (payload) {
            if (filters.format() == ArchiveFormat.json) {
                addPayloadFile(entry, payload);
            } else {
                addNdjsonSource(entry, payload);
            }
        }
    }

    private InputStream openPayload(ArchiveEntry entry) throws IOException {
        if (entry.payloadRef() == null) {
            return null;
        }
        try {
            return store.open(entry.payloadRef());
        } catch (PayloadNotFoundException e) {
            return null;
        }
    }

    private void addPayloadFile(ArchiveEntry entry, InputStream payload) throws IOException {
        String path = names.file(entry.mrn(), entry.mappingKey(), ".json");
        ZipArchiveEntry zipEntry = newEntry(path, entry.fetchedAt());
        zip.putArchiveEntry(zipEntry);
        DigestingOutputStream digesting = new DigestingOutputStream(zip);
        payload.transferTo(digesting);
        zip.closeArchiveEntry();
        filesWritten++;
        String sha256 = verified(entry, digesting.sha256());
        payloads.add(payloadFile(entry, path, sha256, digesting.count(), entry.resources()));
    }

    /** First pass over an ndjson source: which resource types it holds, and its digest. */
    private void addNdjsonSource(ArchiveEntry entry, InputStream payload) throws IOException {
        DigestingOutputStream digesting = new DigestingOutputStream(OutputStream.nullOutputStream());
        Map<String, Long> types = new TreeMap<>();
        try (InputStream teed = new TeeInputStream(payload, digesting)) {
            forEachResource(teed, (type, resource) -> types.merge(type, 1L, Long::sum));
            teed.transferTo(OutputStream.nullOutputStream());
        }
        String sha256 = verified(entry, digesting.sha256());
        long resources = types.values().stream().mapToLong(Long::longValue).sum();
        payloads.add(payloadFile(entry, null, sha256, digesting.count(), resources));
        typesOfPayloads.add(types);
    }

    /**
     * Writes what is left (for ndjson, the resource files), then the manifest and the central directory. Flushes, but
     * does not close, the output stream.
     *
     * @return the manifest's counts
     */
    public Manifest.Counts finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("the archive is finished");
        }
        finished = true;
        List<?> files;
        long resources;
        if (filters.format() == ArchiveFormat.json) {
            files = payloads;
            resources = payloads.stream().mapToLong(Manifest.PayloadFile::resources).sum();
        } else {
            List<Manifest.NdjsonFile> ndjsonFiles = writeNdjsonFiles();
            files = ndjsonFiles;
            resources = ndjsonFiles.stream().mapToLong(Manifest.NdjsonFile::resources).sum();
        }
        Manifest.Counts counts = new Manifest.Counts(files.size(), payloads.size(), failed.size(), protectedRecords,
                resources);
        Manifest manifest = new Manifest(filters.format().name(), project, filters.manifestView(),
                createdAt.toString(), counts, files, filters.format() == ArchiveFormat.ndjson ? payloads : null,
                failed);
        zip.putArchiveEntry(newEntry(MANIFEST, createdAt));
        MANIFEST_JSON.writeValue(zip, manifest);
        zip.closeArchiveEntry();
        zip.finish();
        zip.flush();
        complete = true;
        return counts;
    }

    /** Files written so far (for ndjson, none before {@link #finish}). */
    public int filesWritten() {
        return filesWritten;
    }

    /**
     * Releases the compressor. Without {@link #finish} first, the archive is abandoned: nothing more reaches the
     * output stream. The output stream itself is never closed here.
     */
    @Override
    public void close() throws IOException {
        finished = true;
        if (!complete) {
            gate.shut();
        }
        zip.close();
    }

    /** Second pass for ndjson: one file per resource type, reading only the sources that hold that type. */
    private List<Manifest.NdjsonFile> writeNdjsonFiles() throws IOException {
        Map<String, Long> allTypes = new TreeMap<>();
        typesOfPayloads.forEach(types -> types.forEach((type, n) -> allTypes.merge(type, n, Long::sum)));
        List<Manifest.NdjsonFile> files = new ArrayList<>();
        for (String type : allTypes.keySet()) {
            String path = names.rootFile(type, ".ndjson");
            zip.putArchiveEntry(newEntry(path, createdAt));
            DigestingOutputStream digesting = new DigestingOutputStream(zip);
            long lines = 0;
            for (int i = 0; i < payloads.size(); i++) {
                if (!typesOfPayloads.get(i).containsKey(type)) {
                    continue;
                }
                lines += writeResourcesOfType(payloads.get(i), type, digesting);
            }
            zip.closeArchiveEntry();
            filesWritten++;
            files.add(new Manifest.NdjsonFile(path, type, digesting.sha256(), digesting.count(), lines));
        }
        return files;
    }

    private long writeResourcesOfType(Manifest.PayloadFile source, String type, OutputStream out)
            throws IOException {
        long[] lines = {0};
        try (InputStream payload = store.open(StoredPayload.PREFIX + source.sha256())) {
            forEachResource(payload, (resourceType, resource) -> {
                if (resourceType.equals(type)) {
                    RESOURCE_JSON.writeValue(out, resource);
                    out.write('\n');
                    lines[0]++;
                }
            });
        }
        return lines[0];
    }

    /** Calls {@code consumer} for every entry of a Bundle that is a resource and not an outcome entry. */
    private static void forEachResource(InputStream bundle, ResourceConsumer consumer) throws IOException {
        try (JsonParser parser = RESOURCE_JSON.createParser(new NonClosingInputStream(bundle))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a stored payload is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("entry".equals(field) && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        // One entry at a time: memory is bounded by the largest single resource.
                        JsonNode entry = parser.readValueAsTree();
                        JsonNode resource = entry.path("resource");
                        boolean outcome = "outcome".equals(entry.path("search").path("mode").asText());
                        String type = resource.path("resourceType").asText("");
                        if (!outcome && resource.isObject() && !type.isEmpty()) {
                            consumer.accept(type, resource);
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
    }

    @FunctionalInterface
    private interface ResourceConsumer {
        void accept(String resourceType, JsonNode resource) throws IOException;
    }

    /** The digest, after checking it against the payload's reference (which is the SHA-256 of its bytes). */
    private static String verified(ArchiveEntry entry, String sha256) throws IOException {
        String expected = entry.payloadRef().substring(StoredPayload.PREFIX.length());
        if (!expected.equals(sha256)) {
            throw new IOException("payload " + entry.payloadRef() + " of instance " + entry.instanceId()
                    + " does not match its reference");
        }
        return sha256;
    }

    private static Manifest.PayloadFile payloadFile(ArchiveEntry entry, String path, String sha256, long size,
            long resources) {
        return new Manifest.PayloadFile(path, entry.mrn(), entry.mappingId(), entry.mappingKey(), entry.mappingName(),
                entry.status(), timestamp(entry.fetchedAt()), entry.query(), sha256, size, resources,
                entry.protectedRecord());
    }

    private static Manifest.FailedInstance failure(ArchiveEntry entry, String errorClass, String error) {
        return new Manifest.FailedInstance(entry.mrn(), entry.mappingId(), entry.mappingKey(), entry.mappingName(),
                entry.status(), timestamp(entry.fetchedAt()), errorClass, error, entry.protectedRecord());
    }

    private ZipArchiveEntry newEntry(String path, Instant time) {
        ZipArchiveEntry entry = new ZipArchiveEntry(path);
        entry.setMethod(ZipEntry.DEFLATED);
        entry.setTime((time != null ? time : createdAt).toEpochMilli());
        return entry;
    }

    private static String timestamp(Instant instant) {
        return instant != null ? instant.toString() : null;
    }

    /** Counts and digests what passes through to the wrapped stream; closing it does not close that stream. */
    private static final class DigestingOutputStream extends FilterOutputStream {

        private final MessageDigest digest = newDigest();
        private long count;

        DigestingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // The wrapped stream (the ZIP) lives on.
        }

        long count() {
            return count;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }

        private static MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }

    /** Copies what is read to a side stream. */
    private static final class TeeInputStream extends java.io.FilterInputStream {

        private final OutputStream side;

        TeeInputStream(InputStream in, OutputStream side) {
            super(in);
            this.side = side;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                side.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                side.write(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes must be digested too: read them instead.
            byte[] buffer = new byte[(int) Math.max(0, Math.min(n, 8192))];
            return Math.max(0, read(buffer, 0, buffer.length));
        }
    }

    /** Keeps a parser from closing the payload stream before it is drained. */
    private static final class NonClosingInputStream extends java.io.FilterInputStream {

        NonClosingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    /**
     * Stands between Commons Compress and the caller's stream: never closes it (the caller owns it), and once the
     * archive is abandoned lets nothing more through, so that closing the ZIP stream (which writes a central
     * directory) cannot make a truncated archive look complete.
     */
    private static final class OutputGate extends FilterOutputStream {

        private boolean open = true;

        OutputGate(OutputStream out) {
            super(out);
        }

        void shut() {
            open = false;
        }

        @Override
        public void write(int b) throws IOException {
            if (open) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (open) {
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (open) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
