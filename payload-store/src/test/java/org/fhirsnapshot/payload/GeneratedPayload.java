package org.fhirsnapshot.payload;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A JSON-like payload of a given length made on the fly, never held in memory: a Bundle whose entries carry random
 * base-64 text, so that gzip shrinks it only to about three quarters (a store that buffered the gzip would need most
 * of the payload's size in heap). The same length and seed give the same bytes.
 */
final class GeneratedPayload extends InputStream {

    private static final byte[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENTRY_START = "{\"resource\":{\"resourceType\":\"Binary\",\"data\":\""
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENTRY_END = "\"}},".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA_PER_ENTRY = 4_000;

    private final long length;
    private long position;
    private long state;
    private int inEntry;

    GeneratedPayload(long length, long seed) {
        this.length = length;
        this.state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    /** The first {@code length} bytes of the payload with {@code seed}, in memory: for small payloads. */
    static byte[] bytes(int length, long seed) {
        try (GeneratedPayload payload = new GeneratedPayload(length, seed)) {
            return payload.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] bytes, int offset, int count) {
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(count, length - position);
        for (int i = 0; i < n; i++) {
            bytes[offset + i] = next();
        }
        position += n;
        return n;
    }

    @Override
    public void close() {
    }

    /** The byte at {@link #position}: entries of a fixed layout around pseudo-random text. */
    private byte next() {
        int cycle = ENTRY_START.length + DATA_PER_ENTRY + ENTRY_END.length;
        int at = inEntry;
        inEntry = (inEntry + 1) % cycle;
        if (at < ENTRY_START.length) {
            return ENTRY_START[at];
        }
        if (at >= ENTRY_START.length + DATA_PER_ENTRY) {
            return ENTRY_END[at - ENTRY_START.length - DATA_PER_ENTRY];
        }
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        return ALPHABET[(int) (state & 63)];
    }
}
