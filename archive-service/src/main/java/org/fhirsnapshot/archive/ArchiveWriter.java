package org.fhirsnapshot.archive;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
 * archive is the manifest's list, written last as {@code manifest.json}, followed by {@code manifest.sha256}.
 * <p>
 * This is the streamed path, for archives whose size is not known in advance: {@code ndjson}, and {@code json} with
 * a per-resource filter ({@code type}, {@code from}, {@code to}). A plain {@code json} archive is served by
 * {@link PlannedArchive} instead (raw deflate copy, known length, byte ranges); this writer can still write one.
 * <p>
 * Format {@code json}: {@code {mrn}/{mapping-key}.json} per completed instance, the stored bytes unaltered; with a
 * per-resource filter the Bundle is re-written: its other elements and the kept entries as parsed JSON nodes
 * (decimals exact), compact, and read twice (once to count what passes, once to write it; a payload none of whose
 * resources passes gets no file). Format {@code ndjson}: {@code {ResourceType}.ndjson} across MRNs, one resource a
 * line, outcome entries left out. The lead type (the type the first completed instance's mapping searched, e.g.
 * {@code Observation}) is written while each payload is first read, so the first bytes leave at once; every other
 * type a payload holds ({@code _include}d resources, other mappings' types) is only noted (which source holds which
 * types, never the resources) and written by {@link #finish}, re-reading only the payloads that hold it. Memory
 * stays bounded by the largest single resource.
 * <p>
 * Use: {@link #add} every instance, then {@link #finish}, then {@link #close}. If anything fails, close without
 * finishing: the stream then ends without a central directory, so that no ZIP reader mistakes the truncated archive
 * for a complete one.
 * Entries use ZIP64 where needed (more than 65,535 entries, more than 4 GiB in all); a single payload larger than
 * 4 GiB is refused, since its size is unknown when its local header is written to a stream.
 */
public final class ArchiveWriter implements AutoCloseable {

    public static final String MANIFEST = ManifestBuilder.MANIFEST;
    public static final String MANIFEST_DIGEST = ManifestBuilder.MANIFEST_DIGEST;
    private static final Instant DOS_EPOCH = Instant.parse("1980-01-01T00:00:00Z");

    /** Reads resources with their decimals exact ({@code 1.50} stays {@code 1.50}). */
    private static final ObjectMapper RESOURCE_JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private final OutputGate gate;
    private final ZipArchiveOutputStream zip;
    private final PayloadStore store;
    private final ArchiveFilters filters;
    private final ResourceFilter resourceFilter;
    private final ManifestBuilder manifest;
    private final ZipEntryNames names = new ZipEntryNames();

    /**
     * ndjson: per source (in the order of the manifest's sources), the types it holds other than the lead type; the
     * types only, never the resources.
     */
    private final List<Set<String>> otherTypesOfSources = new ArrayList<>();
    /** ndjson: whether the lead type has been chosen (at the first completed instance). */
    private boolean leadChosen;
    /** ndjson: the type written while the payloads are first read; null until chosen. */
    private String leadType;
    /** ndjson: the lead type's file, open from its first line until {@link #finish}; null before. */
    private String leadPath;
    private DigestingOutputStream leadOut;
    private long leadLines;
    private boolean finished;
    private boolean complete;
    private int filesWritten;

    /**
     * @param out where the ZIP goes; not closed
     * @param store where the payloads are
     * @param project the project key, for the manifest
     * @param filters what was asked for (its format decides the layout)
     * @param compressionLevel deflate level, 0 to 9
     */
    public ArchiveWriter(OutputStream out, PayloadStore store, String project, ArchiveFilters filters,
            int compressionLevel) {
        this.gate = new OutputGate(out);
        this.zip = new ZipArchiveOutputStream(gate);
        this.zip.setUseZip64(Zip64Mode.AsNeeded);
        this.zip.setLevel(compressionLevel);
        this.store = store;
        this.filters = filters;
        this.resourceFilter = filters.resourceFilter();
        this.manifest = new ManifestBuilder(project, filters);
        names.reserve(MANIFEST);
        names.reserve(MANIFEST_DIGEST);
    }

    /** Adds one instance: a completed one as a file (or, for ndjson, as a source), a failed one to the manifest. */
    public void add(ArchiveEntry entry) throws IOException {
        if (finished) {
            throw new IllegalStateException("the archive is finished");
        }
        manifest.listed(entry);
        if (!ManifestBuilder.COMPLETED.equals(entry.status())) {
            manifest.failed(entry, entry.errorClass(), entry.error());
            return;
        }
        InputStream payload = openPayload(entry);
        if (payload == null) {
            manifest.payloadMissing(entry);
            return;
        }
        try (payload) {
            if (filters.format() == ArchiveFormat.ndjson) {
                addNdjsonSource(entry, payload);
            } else if (resourceFilter.active()) {
                addFilteredPayloadFile(entry, payload);
            } else {
                addPayloadFile(entry, payload);
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
        zip.putArchiveEntry(newEntry(path, entry.fetchedAt()));
        DigestingOutputStream digesting = new DigestingOutputStream(zip);
        payload.transferTo(digesting);
        zip.closeArchiveEntry();
        filesWritten++;
        String sha256 = verified(entry, digesting.sha256());
        manifest.payload(entry, path, sha256, digesting.count(), entry.resources(), false, null);
    }

    /**
     * A json file with a per-resource filter: a first pass checks the payload's digest and counts what passes; if
     * anything does, a second pass writes the Bundle with only the entries that pass (outcome entries always stay).
     */
    private void addFilteredPayloadFile(ArchiveEntry entry, InputStream payload) throws IOException {
        DigestingOutputStream digesting = new DigestingOutputStream(OutputStream.nullOutputStream());
        long[] tally = new long[3]; // kept, undated, dropped
        try (InputStream teed = new TeeInputStream(payload, digesting)) {
            forEachResource(teed, (type, resource) -> tally[decide(resource)]++);
            teed.transferTo(OutputStream.nullOutputStream());
        }
        verified(entry, digesting.sha256());
        manifest.excluded += tally[2];
        if (tally[0] + tally[1] == 0) {
            manifest.emptyAfterFilter++;
            return;
        }
        manifest.undated += tally[1];
        String path = names.file(entry.mrn(), entry.mappingKey(), ".json");
        zip.putArchiveEntry(newEntry(path, entry.fetchedAt()));
        DigestingOutputStream written = new DigestingOutputStream(zip);
        try (InputStream again = store.open(entry.payloadRef())) {
            writeFilteredBundle(again, written);
        }
        zip.closeArchiveEntry();
        filesWritten++;
        manifest.payload(entry, path, written.sha256(), written.count(), tally[0] + tally[1], true,
                resourceFilter.dated() ? tally[1] : null);
    }

    /** 0 kept, 1 kept undated, 2 dropped. */
    private int decide(JsonNode resource) {
        return switch (resourceFilter.decide(resource)) {
            case KEEP -> 0;
            case KEEP_UNDATED -> 1;
            case DROP -> 2;
        };
    }

    /** The Bundle with only the entries that pass: other elements and kept entries as parsed JSON nodes. */
    private void writeFilteredBundle(InputStream bundle, OutputStream out) throws IOException {
        try (JsonParser parser = RESOURCE_JSON.createParser(new NonClosingInputStream(bundle));
                JsonGenerator generator = RESOURCE_JSON.createGenerator(out)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a stored payload is not a JSON object");
            }
            generator.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                generator.writeFieldName(field);
                if ("entry".equals(field) && value == JsonToken.START_ARRAY) {
                    generator.writeStartArray();
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode entry = parser.readValueAsTree();
                        JsonNode resource = entry.path("resource");
                        boolean outcome = "outcome".equals(entry.path("search").path("mode").asText());
                        if (outcome || !resource.isObject()
                                || resourceFilter.decide(resource) != ResourceFilter.Decision.DROP) {
                            RESOURCE_JSON.writeTree(generator, entry);
                        }
                    }
                    generator.writeEndArray();
                } else {
                    RESOURCE_JSON.writeTree(generator, parser.readValueAsTree());
                }
            }
            generator.writeEndObject();
        }
    }

    /**
     * Reads an ndjson source once: checks its digest, counts what passes, writes its resources of the lead type to
     * the lead type's file (opened at its first line) and notes which other types it holds.
     */
    private void addNdjsonSource(ArchiveEntry entry, InputStream payload) throws IOException {
        if (!leadChosen) {
            leadChosen = true;
            String searched = entry.resourceType();
            // Without a searched type, the first type that passes leads.
            leadType = searched == null || searched.isBlank() ? null : searched;
        }
        DigestingOutputStream digesting = new DigestingOutputStream(OutputStream.nullOutputStream());
        Set<String> others = new TreeSet<>();
        long[] tally = new long[3];
        try (InputStream teed = new TeeInputStream(payload, digesting)) {
            forEachResource(teed, (type, resource) -> {
                int decision = decide(resource);
                tally[decision]++;
                if (decision == 2) {
                    return;
                }
                if (leadType == null) {
                    leadType = type;
                }
                if (type.equals(leadType)) {
                    writeLeadLine(resource);
                } else {
                    others.add(type);
                }
            });
            teed.transferTo(OutputStream.nullOutputStream());
        }
        // Lines of a payload that does not match its reference may have left already: the archive is then cut off
        // without a central directory (see close()), as for any failure mid-stream.
        String sha256 = verified(entry, digesting.sha256());
        manifest.undated += tally[1];
        manifest.excluded += tally[2];
        manifest.payload(entry, null, sha256, digesting.count(), tally[0] + tally[1], false,
                resourceFilter.dated() ? tally[1] : null);
        otherTypesOfSources.add(others.isEmpty() ? Set.of() : others);
    }

    private void writeLeadLine(JsonNode resource) throws IOException {
        if (leadOut == null) {
            leadPath = names.rootFile(leadType, ".ndjson");
            // Its time is the newest fetch time listed so far: the local header leaves before the rest is listed.
            zip.putArchiveEntry(newEntry(leadPath, manifest.asOf()));
            leadOut = new DigestingOutputStream(zip);
        }
        RESOURCE_JSON.writeValue(leadOut, resource);
        leadOut.write('\n');
        leadLines++;
    }

    /**
     * Writes what is left (for ndjson, the resource files), then the manifest, its digest and the central directory.
     * Flushes, but does not close, the output stream.
     *
     * @return the manifest's bytes
     */
    public byte[] finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("the archive is finished");
        }
        finished = true;
        List<?> files;
        long resources;
        if (filters.format() == ArchiveFormat.json) {
            files = manifest.payloads;
            resources = manifest.payloads.stream().mapToLong(Manifest.PayloadFile::resources).sum();
        } else {
            List<Manifest.NdjsonFile> ndjsonFiles = writeNdjsonFiles();
            files = ndjsonFiles;
            resources = ndjsonFiles.stream().mapToLong(Manifest.NdjsonFile::resources).sum();
        }
        byte[] manifestBytes = manifest.manifestBytes(files, resources);
        zip.putArchiveEntry(newEntry(MANIFEST, manifest.asOf()));
        zip.write(manifestBytes);
        zip.closeArchiveEntry();
        zip.putArchiveEntry(newEntry(MANIFEST_DIGEST, manifest.asOf()));
        zip.write(ManifestBuilder.digestFile(manifestBytes));
        zip.closeArchiveEntry();
        zip.finish();
        zip.flush();
        complete = true;
        return manifestBytes;
    }

    /** Files written so far (for ndjson, none before {@link #finish}: the lead type's file counts once closed). */
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

    /**
     * Closes the lead type's file, then writes one file per other type, reading only the sources that hold that
     * type. The manifest lists the files by type, whatever order they were written in.
     */
    private List<Manifest.NdjsonFile> writeNdjsonFiles() throws IOException {
        List<Manifest.NdjsonFile> files = new ArrayList<>();
        if (leadOut != null) {
            zip.closeArchiveEntry();
            filesWritten++;
            files.add(new Manifest.NdjsonFile(leadPath, leadType, leadOut.sha256(), leadOut.count(), leadLines));
        }
        Set<String> otherTypes = new TreeSet<>();
        otherTypesOfSources.forEach(otherTypes::addAll);
        for (String type : otherTypes) {
            String path = names.rootFile(type, ".ndjson");
            zip.putArchiveEntry(newEntry(path, manifest.asOf()));
            DigestingOutputStream digesting = new DigestingOutputStream(zip);
            long lines = 0;
            for (int i = 0; i < manifest.payloads.size(); i++) {
                if (otherTypesOfSources.get(i).contains(type)) {
                    lines += writeResourcesOfType(manifest.payloads.get(i), type, digesting);
                }
            }
            zip.closeArchiveEntry();
            filesWritten++;
            files.add(new Manifest.NdjsonFile(path, type, digesting.sha256(), digesting.count(), lines));
        }
        files.sort(Comparator.comparing(Manifest.NdjsonFile::resourceType));
        return files;
    }

    private long writeResourcesOfType(Manifest.PayloadFile source, String type, OutputStream out)
            throws IOException {
        long[] lines = {0};
        try (InputStream payload = store.open(StoredPayload.PREFIX + source.sha256())) {
            forEachResource(payload, (resourceType, resource) -> {
                if (resourceType.equals(type) && resourceFilter.decide(resource) != ResourceFilter.Decision.DROP) {
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

    private ZipArchiveEntry newEntry(String path, Instant time) {
        ZipArchiveEntry entry = new ZipArchiveEntry(path);
        entry.setMethod(ZipEntry.DEFLATED);
        entry.setTime((time != null ? time : DOS_EPOCH).toEpochMilli());
        return entry;
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
