package org.fhirsnapshot.payload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Payloads as gzip files under one directory ({@code ab/cd/<sha256>.json.gz}), a shared volume in a cluster. A
 * payload is written to a temporary file, flushed to disk, then moved into place atomically: a reader never sees a
 * partial payload, and a crash leaves at most a temporary file behind.
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
    public StoredPayload write(InputStream payload) throws IOException {
        Path partial = Files.createTempFile(temporary, "payload-", ".part");
        try {
            MessageDigest digest = sha256();
            long size;
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                OutputStream file = Channels.newOutputStream(channel);
                GZIPOutputStream gzip = new GZIPOutputStream(file, 64 * 1024);
                size = new DigestInputStream(payload, digest).transferTo(gzip);
                gzip.finish();
                gzip.flush();
                channel.force(true);
            }
            String ref = StoredPayload.PREFIX + HexFormat.of().formatHex(digest.digest());
            Path target = pathOf(ref);
            Files.createDirectories(target.getParent());
            long compressedSize = Files.size(partial);
            moveIntoPlace(partial, target);
            return new StoredPayload(ref, size, compressedSize);
        } finally {
            Files.deleteIfExists(partial);
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
