package org.fhirsnapshot.payload;

import java.io.IOException;
import java.io.InputStream;

/**
 * Stores FHIR payloads unaltered, addressed by the SHA-256 of their bytes ({@code sha256:<hex>}), compressed at
 * rest. Writing the same bytes twice stores them once.
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

    /** The payload's bytes as they were written. */
    InputStream open(String ref) throws IOException;

    /** The payload as stored: a gzip member around the raw deflate stream of its bytes. */
    InputStream openCompressed(String ref) throws IOException;

    boolean exists(String ref);
}
