package org.fhirsnapshot.payload;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A payload written as a stream, never held whole in memory: the bytes go compressed to a temporary place while
 * their SHA-256 is computed. {@link #commit()} puts the payload at its content address (once: the same bytes
 * stored before are kept, not written again); {@link #close()} without a commit throws the partial payload away.
 * Not thread-safe; its IO blocks.
 */
public abstract class PayloadWriter extends OutputStream {

    /**
     * Ends the payload and stores it; the writer then accepts no more bytes. A failed commit leaves nothing
     * behind once the writer is closed.
     */
    public abstract StoredPayload commit() throws IOException;

    /** Bytes written so far, uncompressed. */
    public abstract long size();

    /** Releases the writer; before a commit, the partial payload is deleted. Never fails for a committed one. */
    @Override
    public abstract void close() throws IOException;
}
