package org.fhirsnapshot.payload;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Gzips a payload to a local spool file while it digests the uncompressed bytes; a commit hands the finished file
 * to the store's {@link Destination} (a rename into place, an upload). The spool file is deleted on close, committed
 * or not, so a writer leaves at most a file in the spool directory when its process dies.
 */
final class SpooledPayloadWriter extends PayloadWriter {

    /** Where a finished spool file goes; answers the payload as stored. */
    @FunctionalInterface
    interface Destination {

        StoredPayload store(Path spooled, String ref, long size, long compressedSize) throws IOException;
    }

    private final Path spooled;
    private final boolean durable;
    private final Destination destination;
    private final FileChannel channel;
    private final GZIPOutputStream gzip;
    private final MessageDigest digest = sha256();
    private long size;
    private boolean committed;
    private boolean closed;

    /**
     * @param spoolDirectory where the spool file is created
     * @param durable whether the spool file is flushed to disk before it is handed on (it becomes the stored file)
     */
    SpooledPayloadWriter(Path spoolDirectory, boolean durable, Destination destination) throws IOException {
        this.spooled = Files.createTempFile(spoolDirectory, "payload-", ".part");
        this.durable = durable;
        this.destination = destination;
        try {
            this.channel = FileChannel.open(spooled, StandardOpenOption.WRITE);
            this.gzip = new GZIPOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spooled);
            throw e;
        }
    }

    @Override
    public void write(int b) throws IOException {
        ensureWritable();
        gzip.write(b);
        digest.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureWritable();
        gzip.write(bytes, offset, length);
        digest.update(bytes, offset, length);
        size += length;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public StoredPayload commit() throws IOException {
        ensureWritable();
        committed = true;
        gzip.finish();
        gzip.flush();
        if (durable) {
            channel.force(true);
        }
        channel.close();
        String ref = StoredPayload.PREFIX + HexFormat.of().formatHex(digest.digest());
        return destination.store(spooled, ref, size, Files.size(spooled));
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            gzip.close();
        } catch (IOException e) {
            // The partial payload is thrown away below; its last bytes do not matter.
        } finally {
            channel.close();
            // Gone after a rename into place; a partial payload or an uploaded copy otherwise.
            Files.deleteIfExists(spooled);
        }
    }

    private void ensureWritable() throws IOException {
        if (closed || committed) {
            throw new IOException("the payload writer is " + (closed ? "closed" : "committed"));
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
