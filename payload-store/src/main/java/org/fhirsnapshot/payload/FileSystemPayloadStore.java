package org.fhirsnapshot.payload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Payloads as gzip files under one directory ({@code ab/cd/<sha256>.json.gz}), a shared volume in a cluster. A
 * payload is streamed to a temporary file under {@code tmp/} (gzipped, its SHA-256 computed on the way), flushed to
 * disk, then moved into place atomically: a reader never sees a partial payload, a writer closed without a commit
 * deletes its temporary file, and a crash leaves at most a temporary file behind.
 */
public final class FileSystemPayloadStore implements PayloadStore {

    private static final Pattern REF = Pattern.compile("sha256:[0-9a-f]{64}");

    private final Path root;
    private final Path temporary;

    public FileSystemPayloadStore(Path root) {
        this.root = root.toAbsolutePath();
        this.temporary = this.root.resolve("tmp");
        try {
            Files.createDirectories(temporary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the payload store at " + this.root, e);
        }
    }

    @Override
    public PayloadWriter openWriter() throws IOException {
        return new TemporaryFileWriter(Files.createTempFile(temporary, "payload-", ".part"));
    }

    /**
     * Gzips to a temporary file under {@code tmp/} while it digests the uncompressed bytes; a commit flushes the
     * file to disk and renames it to its content address.
     */
    private final class TemporaryFileWriter extends PayloadWriter {

        private final Path partial;
        private final FileChannel channel;
        private final GZIPOutputStream gzip;
        private final MessageDigest digest = sha256();
        private long size;
        private boolean committed;
        private boolean closed;

        TemporaryFileWriter(Path partial) throws IOException {
            this.partial = partial;
            try {
                this.channel = FileChannel.open(partial, StandardOpenOption.WRITE);
                this.gzip = new GZIPOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
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
            channel.force(true);
            channel.close();
            String ref = StoredPayload.PREFIX + HexFormat.of().formatHex(digest.digest());
            Path target = pathOf(ref);
            Files.createDirectories(target.getParent());
            long compressedSize = Files.size(partial);
            moveIntoPlace(partial, target);
            return new StoredPayload(ref, size, compressedSize);
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
                // Gone after a commit (moved into place, or deduplicated); a partial payload otherwise.
                Files.deleteIfExists(partial);
            }
        }

        private void ensureWritable() throws IOException {
            if (closed || committed) {
                throw new IOException("the payload writer is " + (closed ? "closed" : "committed"));
            }
        }
    }

    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // Another writer stored the same bytes first.
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the payload store needs a file system with atomic renames", e);
        }
    }

    @Override
    public InputStream open(String ref) throws IOException {
        return new GZIPInputStream(openCompressed(ref), 64 * 1024);
    }

    @Override
    public InputStream openCompressed(String ref) throws IOException {
        try {
            return Files.newInputStream(pathOf(ref));
        } catch (NoSuchFileException e) {
            throw new PayloadNotFoundException(ref);
        }
    }

    @Override
    public boolean exists(String ref) {
        return Files.exists(pathOf(ref));
    }

    /** Where {@code ref} lives; the pattern check keeps any reference inside the store. */
    Path pathOf(String ref) {
        if (ref == null || !REF.matcher(ref).matches()) {
            throw new IllegalArgumentException("not a payload reference: " + ref);
        }
        String hex = ref.substring(StoredPayload.PREFIX.length());
        return root.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex + ".json.gz");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
