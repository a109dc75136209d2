package org.fhirsnapshot.archive;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;

/**
 * Collects what {@code manifest.json} lists while an archive is built, and writes it with its digest file
 * {@code manifest.sha256} ({@code <hex>  manifest.json}, the format {@code sha256sum -c} reads). Deterministic: the
 * same entries in the same order give the same bytes.
 */
final class ManifestBuilder {

    static final String MANIFEST = "manifest.json";
    static final String MANIFEST_DIGEST = "manifest.sha256";
    static final String COMPLETED = "completed";
    static final String PAYLOAD_MISSING = "payload_missing";

    private static final ObjectMapper MANIFEST_JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private final String project;
    private final ArchiveFilters filters;
    final List<Manifest.PayloadFile> payloads = new ArrayList<>();
    final List<Manifest.FailedInstance> failed = new ArrayList<>();
    private int protectedRecords;
    private Instant asOf;
    long undated;
    long excluded;
    int emptyAfterFilter;

    ManifestBuilder(String project, ArchiveFilters filters) {
        this.project = project;
        this.filters = filters;
    }

    /** Notes an entry listed for the archive: its protected flag and fetch time. */
    void listed(ArchiveEntry entry) {
        if (entry.protectedRecord()) {
            protectedRecords++;
        }
        if (entry.fetchedAt() != null && (asOf == null || entry.fetchedAt().isAfter(asOf))) {
            asOf = entry.fetchedAt();
        }
    }

    /** The newest fetch time listed so far, or null. */
    Instant asOf() {
        return asOf;
    }

    void failed(ArchiveEntry entry, String errorClass, String error) {
        failed.add(new Manifest.FailedInstance(entry.mrn(), entry.mappingId(), entry.mappingKey(),
                entry.mappingName(), entry.status(), timestamp(entry.fetchedAt()), errorClass, error,
                entry.protectedRecord()));
    }

    void payloadMissing(ArchiveEntry entry) {
        failed(entry, PAYLOAD_MISSING,
                "The instance is completed but its payload is not in the payload store; fetch it again.");
    }

    /** A file (or, with a null path, an ndjson source) made from the entry's payload. */
    Manifest.PayloadFile payload(ArchiveEntry entry, String path, String sha256, long size, long resources,
            boolean filtered, Long undatedInFile) {
        String payloadSha256 = filtered ? entry.payloadRef().substring("sha256:".length()) : null;
        Manifest.PayloadFile file = new Manifest.PayloadFile(path, entry.mrn(), entry.mappingId(),
                entry.mappingKey(), entry.mappingName(), entry.status(), timestamp(entry.fetchedAt()), entry.query(),
                sha256, size, resources, entry.protectedRecord(), filtered ? Boolean.TRUE : null, payloadSha256,
                undatedInFile);
        payloads.add(file);
        return file;
    }

    /** The manifest's bytes, for json ({@code files} = the payloads) or ndjson ({@code files} given). */
    byte[] manifestBytes(List<?> files, long resources) {
        ResourceFilter resourceFilter = filters.resourceFilter();
        boolean ndjson = filters.format() == ArchiveFormat.ndjson;
        Manifest.Counts counts = new Manifest.Counts(files.size(), payloads.size(), failed.size(), protectedRecords,
                resources, resourceFilter.dated() ? undated : null, resourceFilter.active() ? excluded : null,
                resourceFilter.active() ? emptyAfterFilter : null);
        Manifest manifest = new Manifest(filters.format().name(), project, filters.manifestView(), timestamp(asOf),
                counts, files, ndjson ? payloads : null, failed);
        try {
            return MANIFEST_JSON.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the manifest is plain data", e);
        }
    }

    /** {@code manifest.sha256}: one line, {@code <hex>  manifest.json}. */
    static byte[] digestFile(byte[] manifest) {
        return (sha256(manifest) + "  " + MANIFEST + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String timestamp(Instant instant) {
        return instant != null ? instant.toString() : null;
    }
}
