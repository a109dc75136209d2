package org.fhirsnapshot.archive;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.fhirsnapshot.payload.PayloadStore;

/**
 * Where the raw deflate stream of a stored payload lies: the payload store keeps each payload as one gzip member
 * (RFC 1952), which is a header, the raw deflate stream, then the CRC-32 and the length (mod 2^32) of the
 * uncompressed bytes. A ZIP entry of method deflate carries the same raw deflate stream and the same CRC-32, so the
 * stream can be copied into the archive as it is, neither inflated nor deflated again.
 *
 * @param ref the payload reference
 * @param dataOffset bytes of the gzip header, where the deflate stream starts
 * @param compressedSize bytes of the deflate stream
 * @param crc32 CRC-32 of the uncompressed bytes (the gzip trailer's)
 * @param size uncompressed bytes
 */
public record GzipMember(String ref, int dataOffset, long compressedSize, long crc32, long size) {

    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED = 0xE0;
    private static final int TRAILER = 8;
    /**
     * Deflate never expands more than 1032:1, so below this many compressed bytes the trailer's length (mod 2^32) is
     * the length itself; above it the payload is inflated once to count its bytes.
     */
    static final long ISIZE_EXACT_BELOW = (1L << 32) / 1032;

    /** Bytes read at first for the header: any header without a long file name or comment fits. */
    static final int HEADER_READ = 1024;

    /**
     * Reads a stored payload's gzip header and trailer through ranged reads: its size from the store's metadata,
     * then the first bytes (at most {@value #HEADER_READ}; the whole member from the start when a header is longer)
     * and the last 8, so an object store is never read whole to learn a size.
     *
     * @throws org.fhirsnapshot.payload.PayloadNotFoundException if the store does not hold {@code ref}
     * @throws IOException if the payload is not a single-member gzip file this code understands
     */
    public static GzipMember inspect(PayloadStore store, String ref) throws IOException {
        long total = store.compressedSize(ref);
        int headerLength;
        try (InputStream in = store.openCompressed(ref, 0, Math.min(total, HEADER_READ))) {
            headerLength = headerLength(in);
            // The rest of this small read is drained, not dropped: an S3 stream closed early aborts its connection,
            // and one inspection per payload would then open a new one each time.
            in.transferTo(OutputStream.nullOutputStream());
        } catch (EOFException e) {
            if (total <= HEADER_READ) {
                throw e;
            }
            // A header longer than the first read (a long file name or comment): read it again, unbounded.
            try (InputStream in = store.openCompressed(ref, 0)) {
                headerLength = headerLength(in);
            }
        }
        long compressedSize = total - headerLength - TRAILER;
        if (compressedSize < 2) {
            throw new IOException("payload " + ref + " is too short to be a gzip member");
        }
        byte[] trailer;
        try (InputStream in = store.openCompressed(ref, total - TRAILER, TRAILER)) {
            trailer = in.readNBytes(TRAILER);
        }
        if (trailer.length != TRAILER) {
            throw new IOException("payload " + ref + " changed while it was read");
        }
        long crc = littleEndian(trailer, 0);
        long size = littleEndian(trailer, 4);
        if (compressedSize >= ISIZE_EXACT_BELOW) {
            size = inflatedSize(store, ref, headerLength);
        }
        return new GzipMember(ref, headerLength, compressedSize, crc, size);
    }

    /**
     * Reads a gzip member header (RFC 1952 §2.3: magic, method deflate, flags, then the optional extra field, file
     * name, comment and header CRC the flags announce) and returns its length; the stream is left at the deflate
     * data.
     */
    static int headerLength(InputStream in) throws IOException {
        byte[] fixed = readFully(in, 10);
        if ((fixed[0] & 0xFF) != 0x1F || (fixed[1] & 0xFF) != 0x8B) {
            throw new IOException("not a gzip member");
        }
        if (fixed[2] != 8) {
            throw new IOException("gzip compression method " + fixed[2] + " is not deflate");
        }
        int flags = fixed[3] & 0xFF;
        if ((flags & RESERVED) != 0) {
            throw new IOException("gzip header has reserved flags set");
        }
        int length = 10;
        if ((flags & FEXTRA) != 0) {
            byte[] xlen = readFully(in, 2);
            int extra = (xlen[0] & 0xFF) | (xlen[1] & 0xFF) << 8;
            in.skipNBytes(extra);
            length += 2 + extra;
        }
        if ((flags & FNAME) != 0) {
            length += skipZeroTerminated(in);
        }
        if ((flags & FCOMMENT) != 0) {
            length += skipZeroTerminated(in);
        }
        if ((flags & FHCRC) != 0) {
            in.skipNBytes(2);
            length += 2;
        }
        return length;
    }

    private static long inflatedSize(PayloadStore store, String ref, int headerLength) throws IOException {
        Inflater inflater = new Inflater(true);
        try (InputStream in = store.openCompressed(ref, headerLength)) {
            InflaterInputStream inflating = new InflaterInputStream(in, inflater, 64 * 1024);
            long size = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = inflating.read(buffer)) > 0;) {
                size += n;
            }
            return size;
        } finally {
            inflater.end();
        }
    }

    private static int skipZeroTerminated(InputStream in) throws IOException {
        int length = 0;
        for (int b;;) {
            b = in.read();
            if (b < 0) {
                throw new EOFException("gzip header ends inside a zero-terminated field");
            }
            length++;
            if (b == 0) {
                return length;
            }
        }
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("gzip header is truncated");
        }
        return bytes;
    }

    private static long littleEndian(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFFL) | (bytes[offset + 1] & 0xFFL) << 8 | (bytes[offset + 2] & 0xFFL) << 16
                | (bytes[offset + 3] & 0xFFL) << 24;
    }
}
