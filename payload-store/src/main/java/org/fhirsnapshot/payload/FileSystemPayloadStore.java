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
import java.util.zip.GZIPInputStream;

/**
 * Payloads as gzip files under one directory ({@code ab/cd/<sha256>.json.gz}), a shared volume in a cluster. A
 * payload is streamed to a temporary file under {@code tmp/} (gzipped, its SHA-256 computed on the way), flushed to
 * disk, then moved into place atomically: a reader never sees a partial payload, a writer closed without a commit
 * deletes its temporary file, and a crash leaves at most a temporary file behind.
 */
public final class FileSystemPayloadStore implements PayloadStore {

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

    /** The store's directory. */
    public Path root() {
        return root;
    }

    @Override
    public PayloadWriter openWriter() throws IOException {
        return new SpooledPayloadWriter(temporary, true, (spooled, ref, size, compressedSize) -> {
            Path target = pathOf(ref);
            Files.createDirectories(target.getParent());
            moveIntoPlace(spooled, target);
            return new StoredPayload(ref, size, compressedSize);
        });
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
    public InputStream openCompressed(String ref, long offset, long length) throws IOException {
        checkRange(offset, length);
        FileChannel channel;
        try {
            channel = FileChannel.open(pathOf(ref), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new PayloadNotFoundException(ref);
        }
        try {
            channel.position(offset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new BoundedInputStream(Channels.newInputStream(channel), length);
    }

    @Override
    public long compressedSize(String ref) throws IOException {
        try {
            return Files.size(pathOf(ref));
        } catch (NoSuchFileException e) {
            throw new PayloadNotFoundException(ref);
        }
    }

    @Override
    public boolean exists(String ref) {
        return Files.exists(pathOf(ref));
    }

    @Override
    public void checkAvailable() throws IOException {
        if (!Files.isDirectory(root) || !Files.isReadable(root)) {
            throw new IOException("the payload store's directory " + root + " is missing or unreadable");
        }
    }

    /** Where {@code ref} lives; the reference check keeps any reference inside the store. */
    Path pathOf(String ref) {
        String hex = PayloadRefs.hex(ref);
        return root.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex + ".json.gz");
    }

    static void checkRange(long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
    }
}
