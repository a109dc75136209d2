package org.fhirsnapshot.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}, the last entry of every archive: what was asked for, what is in the archive, and what could
 * not be put in it.
 *
 * @param format {@code json} or {@code ndjson}
 * @param project the project key
 * @param filters the filters as asked for
 * @param createdAt when the archive was started (ISO-8601)
 * @param counts totals
 * @param files the archive's files: {@link PayloadFile} for json, {@link NdjsonFile} for ndjson
 * @param sources ndjson only: the payloads the ndjson files were made from
 * @param failed instances listed without a file: failed fetches (with their error class, {@code protected} when the
 *        EHR withheld the record) and completed instances whose payload the store does not hold
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(String format, String project, Map<String, Object> filters, String createdAt, Counts counts,
        List<?> files, List<PayloadFile> sources, List<FailedInstance> failed) {

    /**
     * @param files files in the archive besides the manifest
     * @param completed completed instances whose payload is in the archive
     * @param failed entries of {@code failed}
     * @param protectedRecords instances flagged protected (break-the-glass)
     * @param resources clinical resources in the files (outcome entries never count)
     */
    public record Counts(int files, int completed, int failed, @JsonProperty("protected") int protectedRecords,
            long resources) {
    }

    /**
     * One stored payload: a file of a json archive, a source of an ndjson archive.
     *
     * @param path the entry in the archive (json only)
     * @param sha256 hex SHA-256 of the payload's bytes, checked while streaming them
     * @param size the payload's bytes
     * @param resources clinical resources in it, outcome entries excluded
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PayloadFile(String path, String mrn, long mappingId, String mappingKey, String mappingName,
            String status, String fetchedAt, String query, String sha256, long size, long resources,
            @JsonProperty("protected") boolean protectedRecord) {
    }

    /**
     * One {@code {ResourceType}.ndjson} file.
     *
     * @param sha256 hex SHA-256 of the file's bytes
     * @param size the file's bytes
     * @param resources lines, one resource each
     */
    public record NdjsonFile(String path, String resourceType, String sha256, long size, long resources) {
    }

    /**
     * An instance without a file.
     *
     * @param status the instance's status ({@code failed}, or {@code completed} when the payload is missing)
     * @param errorClass {@code not_found}, {@code protected}, {@code forbidden}, …, or {@code payload_missing}
     * @param error what went wrong, without PHI
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FailedInstance(String mrn, long mappingId, String mappingKey, String mappingName, String status,
            String fetchedAt, String errorClass, String error, @JsonProperty("protected") boolean protectedRecord) {
    }
}
