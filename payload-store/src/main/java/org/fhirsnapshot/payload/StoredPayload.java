package org.fhirsnapshot.payload;

/**
 * A payload in the store.
 *
 * @param ref {@code sha256:<hex>}
 * @param size bytes, uncompressed
 * @param compressedSize bytes at rest
 */
public record StoredPayload(String ref, long size, long compressedSize) {

    public static final String PREFIX = "sha256:";

    public String sha256() {
        return ref.substring(PREFIX.length());
    }
}
