package org.fhirsnapshot.archive;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.PayloadNotFoundException;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.StoredPayload;

/**
 * A {@code json} archive laid out byte for byte before its first byte is sent, so that its length, an ETag and any
 * byte range are known: each payload's raw deflate stream (its gzip member minus header and trailer, see
 * {@link GzipMember}) is copied into its ZIP entry as it is stored, with the CRC-32 and sizes from the gzip trailer,
 * so nothing is inflated or deflated again. The plan is a list of segments: literal bytes (local headers, the
 * manifest, the central directory, written by Commons Compress exactly as it would write the real archive) and
 * references to a stored payload's deflate stream. Serving bytes {@code N..M} walks the segments, skipping whole
 * payloads without reading them.
 * <p>
 * Memory: the plan holds, per file, its manifest record and about 150 bytes of headers; no payload bytes.
 */
public final class PlannedArchive {

    /** One run of the archive's bytes. */
    sealed interface Segment permits Literal, RawDeflate {
        long length();
    }

    /** Bytes written by the ZIP writer itself: headers, the manifest entries, the central directory. */
    record Literal(byte[] bytes) implements Segment {
        @Override
        public long length() {
            return bytes.length;
        }
    }

    /** A stored payload's raw deflate stream, the data of one ZIP entry. */
    record RawDeflate(GzipMember member) implements Segment {
        @Override
        public long length() {
            return member.compressedSize();
        }
    }

    private final List<Segment> segments;
    private final long length;
    private final String etag;
    private final int files;

    private PlannedArchive(List<Segment> segments, String etag, int files) {
        this.segments = List.copyOf(segments);
        this.length = segments.stream().mapToLong(Segment::length).sum();
        this.etag = etag;
        this.files = files;
    }

    /** The archive's length in bytes. */
    public long length() {
        return length;
    }

    /** A strong entity tag: the SHA-256 of the plan (every literal byte, every payload's reference and sizes). */
    public String etag() {
        return etag;
    }

    /** Files besides the manifest and its digest. */
    public int files() {
        return files;
    }

    /**
     * Writes bytes {@code first} to {@code last} (inclusive) of the archive. A payload sent whole is checked on the
     * way when {@code verify} is set: its deflate stream is inflated on the side and its bytes must have the SHA-256
     * of its reference and the CRC-32 and size of the plan, else an {@link IOException} stops the archive (a
     * payload cut by the range's edges is sent unchecked; the ZIP's CRC-32 and the manifest still cover it).
     *
     * @return how many payload files were sent, whole or in part
     */
    public int writeTo(OutputStream out, PayloadStore store, long first, long last, boolean verify)
            throws IOException {
        if (first < 0 || last >= length || first > last) {
            throw new IllegalArgumentException("range " + first + "-" + last + " is outside 0-" + (length - 1));
        }
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        int sent = 0;
        for (Segment segment : segments) {
            long start = position;
            long end = position + segment.length();
            position = end;
            if (end <= first) {
                continue;
            }
            if (start > last) {
                break;
            }
            long from = Math.max(first, start) - start;
            long to = Math.min(last + 1, end) - start;
            if (segment instanceof Literal literal) {
                out.write(literal.bytes(), (int) from, (int) (to - from));
            } else if (segment instanceof RawDeflate raw) {
                boolean whole = from == 0 && to == segment.length();
                copyRaw(raw.member(), store, from, to, verify && whole, out, buffer);
                sent++;
            }
        }
        out.flush();
        return sent;
    }

    private static void copyRaw(GzipMember member, PayloadStore store, long from, long to, boolean verify,
            OutputStream out, byte[] buffer) throws IOException {
        PayloadCheck check = verify ? new PayloadCheck(member) : null;
        try (InputStream in = store.openCompressed(member.ref(), member.dataOffset() + from, to - from)) {
            long left = to - from;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException("payload " + member.ref() + " is shorter than when the archive was planned");
                }
                out.write(buffer, 0, n);
                if (check != null) {
                    check.update(buffer, n);
                }
                left -= n;
            }
            if (check != null) {
                check.finish();
            }
        } finally {
            if (check != null) {
                check.end();
            }
        }
    }

    /** Inflates a deflate stream on the side and checks the result against the payload's reference and plan. */
    private static final class PayloadCheck {

        private final GzipMember member;
        private final Inflater inflater = new Inflater(true);
        private final CRC32 crc = new CRC32();
        private final MessageDigest digest = sha256();
        private final byte[] inflated = new byte[64 * 1024];
        private long size;

        PayloadCheck(GzipMember member) {
            this.member = member;
        }

        void update(byte[] compressed, int length) throws IOException {
            if (inflater.finished()) {
                throw mismatch("has bytes after its deflate stream");
            }
            inflater.setInput(compressed, 0, length);
            try {
                while (!inflater.needsInput() && !inflater.finished()) {
                    int n = inflater.inflate(inflated);
                    if (n == 0 && inflater.needsDictionary()) {
                        throw mismatch("asks for a preset dictionary");
                    }
                    crc.update(inflated, 0, n);
                    digest.update(inflated, 0, n);
                    size += n;
                }
            } catch (DataFormatException e) {
                throw mismatch("is not a valid deflate stream");
            }
            if (inflater.finished() && inflater.getRemaining() > 0) {
                throw mismatch("has bytes after its deflate stream");
            }
        }

        void finish() throws IOException {
            if (!inflater.finished()) {
                throw mismatch("ends inside its deflate stream");
            }
            String expected = member.ref().substring(StoredPayload.PREFIX.length());
            if (crc.getValue() != member.crc32() || size != member.size()
                    || !HexFormat.of().formatHex(digest.digest()).equals(expected)) {
                throw mismatch("does not match its reference");
            }
        }

        void end() {
            inflater.end();
        }

        private IOException mismatch(String what) {
            return new IOException("payload " + member.ref() + " " + what);
        }
    }

    /**
     * Lays out a json archive: {@link #add} every listed instance in order, then {@link #finish}. Only entries that
     * match the filters should be added; the filters must not hold a per-resource part
     * ({@link ResourceFilter#active()}), which needs the payloads re-written.
     */
    public static final class Planner {

        private static final Instant DOS_EPOCH = Instant.parse("1980-01-01T00:00:00Z");

        private final PayloadStore store;
        private final Recorder recorder = new Recorder();
        private final ZipArchiveOutputStream zip;
        private final ZipEntryNames names = new ZipEntryNames();
        private final ManifestBuilder manifest;
        /** Payloads already inspected: the same payload (an empty search, say) is often listed many times. */
        private final Map<String, GzipMember> inspected = new HashMap<>();
        private int files;

        public Planner(PayloadStore store, String project, ArchiveFilters filters) {
            if (filters.format() != ArchiveFormat.json || filters.resourceFilter().active()) {
                throw new IllegalArgumentException("only json archives without type/from/to can be planned");
            }
            this.store = store;
            this.manifest = new ManifestBuilder(project, filters);
            this.zip = new ZipArchiveOutputStream(recorder);
            this.zip.setUseZip64(Zip64Mode.AsNeeded);
            names.reserve(ManifestBuilder.MANIFEST);
            names.reserve(ManifestBuilder.MANIFEST_DIGEST);
        }

        /** Adds one instance: a completed one as a file, a failed one (or one whose payload is gone) to the manifest. */
        public void add(ArchiveEntry entry) throws IOException {
            manifest.listed(entry);
            if (!ManifestBuilder.COMPLETED.equals(entry.status())) {
                manifest.failed(entry, entry.errorClass(), entry.error());
                return;
            }
            GzipMember member;
            try {
                if (entry.payloadRef() == null) {
                    manifest.payloadMissing(entry);
                    return;
                }
                member = inspected.get(entry.payloadRef());
                if (member == null) {
                    member = GzipMember.inspect(store, entry.payloadRef());
                    inspected.put(entry.payloadRef(), member);
                }
            } catch (PayloadNotFoundException e) {
                manifest.payloadMissing(entry);
                return;
            }
            String path = names.file(entry.mrn(), entry.mappingKey(), ".json");
            ZipArchiveEntry zipEntry = new ZipArchiveEntry(path);
            zipEntry.setMethod(ZipEntry.DEFLATED);
            zipEntry.setTime(time(entry.fetchedAt()));
            zipEntry.setCrc(member.crc32());
            zipEntry.setSize(member.size());
            zipEntry.setCompressedSize(member.compressedSize());
            zip.addRawArchiveEntry(zipEntry, recorder.placeholder(member));
            files++;
            manifest.payload(entry, path, member.ref().substring(StoredPayload.PREFIX.length()), member.size(),
                    entry.resources(), false, null);
        }

        /** Adds the manifest and its digest, and the central directory. */
        public PlannedArchive finish() throws IOException {
            byte[] manifestBytes = manifest.manifestBytes(manifest.payloads,
                    manifest.payloads.stream().mapToLong(Manifest.PayloadFile::resources).sum());
            long time = time(manifest.asOf());
            writeEntry(ManifestBuilder.MANIFEST, manifestBytes, time);
            writeEntry(ManifestBuilder.MANIFEST_DIGEST, ManifestBuilder.digestFile(manifestBytes), time);
            zip.finish();
            zip.close();
            recorder.endLiteral();
            return new PlannedArchive(recorder.segments, recorder.etag(), files);
        }

        private void writeEntry(String name, byte[] bytes, long time) throws IOException {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setMethod(ZipEntry.DEFLATED);
            entry.setTime(time);
            zip.putArchiveEntry(entry);
            zip.write(bytes);
            zip.closeArchiveEntry();
        }

        private static long time(Instant instant) {
            return (instant != null ? instant : DOS_EPOCH).toEpochMilli();
        }
    }

    /**
     * Records what the ZIP writer writes as segments: literal bytes, and in place of each payload's data (fed to the
     * writer as a placeholder stream of the right length) a reference to its stored deflate stream. Digests the plan
     * on the way.
     */
    private static final class Recorder extends OutputStream {

        private final List<Segment> segments = new ArrayList<>();
        private final ByteArrayOutputStream literal = new ByteArrayOutputStream();
        private final MessageDigest plan = sha256();
        private GzipMember raw;
        private long rawLeft;

        /** A stream of {@code member.compressedSize()} placeholder bytes; its first read marks where the data starts. */
        InputStream placeholder(GzipMember member) {
            return new InputStream() {
                private long left = member.compressedSize();
                private boolean started;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : 0;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (!started) {
                        started = true;
                        beginRaw(member);
                    }
                    if (left == 0) {
                        return -1;
                    }
                    int n = (int) Math.min(len, left);
                    left -= n;
                    return n;
                }
            };
        }

        private void beginRaw(GzipMember member) {
            endLiteral();
            raw = member;
            rawLeft = member.compressedSize();
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (raw != null) {
                    int n = (int) Math.min(len, rawLeft);
                    rawLeft -= n;
                    off += n;
                    len -= n;
                    if (rawLeft == 0) {
                        segments.add(new RawDeflate(raw));
                        plan.update((raw.ref() + ":" + raw.dataOffset() + ":" + raw.compressedSize() + ":"
                                + raw.crc32() + ":" + raw.size() + "\n").getBytes(StandardCharsets.US_ASCII));
                        raw = null;
                    }
                } else {
                    literal.write(b, off, len);
                    len = 0;
                }
            }
        }

        void endLiteral() {
            if (literal.size() > 0) {
                byte[] bytes = literal.toByteArray();
                segments.add(new Literal(bytes));
                plan.update(bytes);
                literal.reset();
            }
        }

        String etag() {
            return HexFormat.of().formatHex(plan.digest());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
