package org.fhirsnapshot.payload;

import java.io.IOException;
import java.io.InputStream;

/**
 * Stores FHIR payloads unaltered, addressed by the SHA-256 of their bytes ({@code sha256:<hex>}), compressed at
 * rest as one gzip member. Writing the same bytes twice stores them once. Two implementations:
 * {@link FileSystemPayloadStore} (a directory, the default) and {@link S3PayloadStore} (an S3-compatible bucket);
 * both store the same gzip bytes for the same payload. Every method blocks: call them from worker threads.
 */
public interface PayloadStore {

    /**
     * A writer for one new payload, streamed: the payload is never held in memory. Commit it, then close it (a
     * writer closed without a commit leaves nothing behind).
     */
    PayloadWriter openWriter() throws IOException;

    /** Reads {@code payload} to its end and stores it; the stream is not closed. */
    default StoredPayload write(InputStream payload) throws IOException {
        try (PayloadWriter writer = openWriter()) {
            payload.transferTo(writer);
            return writer.commit();
        }
    }

    /**
     * The payload's bytes as they were written.
     *
     * @throws PayloadNotFoundException if the store does not hold {@code ref}
     */
    InputStream open(String ref) throws IOException;

    /**
     * The payload as stored: a gzip member around the raw deflate stream of its bytes.
     *
     * @throws PayloadNotFoundException if the store does not hold {@code ref}
     */
    default InputStream openCompressed(String ref) throws IOException {
        return openCompressed(ref, 0, Long.MAX_VALUE);
    }

    /**
     * The stored gzip member's bytes from {@code offset} to its end; empty when {@code offset} is at or past the end.
     * An object store reads only these bytes (a ranged GET).
     *
     * @throws PayloadNotFoundException if the store does not hold {@code ref}
     */
    default InputStream openCompressed(String ref, long offset) throws IOException {
        return openCompressed(ref, offset, Long.MAX_VALUE);
    }

    /**
     * At most {@code length} bytes of the stored gzip member from {@code offset} (fewer where the member ends
     * first); empty when {@code offset} is at or past the end or {@code length} is 0. An object store asks for
     * exactly these bytes (a ranged GET), so reading a header or a trailer costs a few bytes, not the object.
     *
     * @throws PayloadNotFoundException if the store does not hold {@code ref}
     */
    InputStream openCompressed(String ref, long offset, long length) throws IOException;

    /**
     * Bytes of the stored gzip member (what {@link StoredPayload#compressedSize()} said when it was written), read
     * from the store's metadata, not by reading the payload.
     *
     * @throws PayloadNotFoundException if the store does not hold {@code ref}
     */
    long compressedSize(String ref) throws IOException;

    /**
     * Whether the store holds {@code ref}.
     *
     * @throws java.io.UncheckedIOException if the store cannot be asked (an object store that does not answer)
     */
    boolean exists(String ref);

    /**
     * Fails unless the store can be read now: the directory exists and is readable, or the bucket answers with the
     * configured credentials. For readiness checks; cheap (one stat or one HEAD request).
     */
    void checkAvailable() throws IOException;
}
