package org.fhirsnapshot.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}, written after every file of the archive (followed only by {@code manifest.sha256}, which
 * holds the SHA-256 of its bytes): what was asked for, what is in the archive, and what could not be put in it. The
 * same data and filters always give the same bytes: its time is the data's ({@code asOf}), not the download's.
 *
 * @param format {@code json} or {@code ndjson}
 * @param project the project key
 * @param filters the filters as asked for
 * @param asOf the newest fetch time among the instances listed (ISO-8601), or null when none is; the download's own
 *        time is in the download audit
 * @param counts totals
 * @param files the archive's files: {@link PayloadFile} for json, {@link NdjsonFile} for ndjson
 * @param sources ndjson only: the payloads the ndjson files were made from
 * @param failed instances listed without a file: failed fetches (with their error class, {@code protected} when the
 *        EHR withheld the record) and completed instances whose payload the store does not hold
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(String format, String project, Map<String, Object> filters, String asOf, Counts counts,
        List<?> files, List<PayloadFile> sources, List<FailedInstance> failed) {

    /**
     * @param files files in the archive besides {@code manifest.json} and {@code manifest.sha256}
     * @param completed completed instances whose payload is in the archive
     * @param failed entries of {@code failed}
     * @param protectedRecords instances flagged protected (break-the-glass)
     * @param resources clinical resources in the files (outcome entries never count)
     * @param undated with {@code from}/{@code to}: resources kept because they have no clinical date
     * @param excluded with {@code type}/{@code from}/{@code to}: resources left out by those filters
     * @param emptyAfterFilter with {@code type}/{@code from}/{@code to}: completed instances left without a file
     *        because no resource of theirs passed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Counts(int files, int completed, int failed, @JsonProperty("protected") int protectedRecords,
            long resources, Long undated, Long excluded, Integer emptyAfterFilter) {
    }

    /**
     * One stored payload: a file of a json archive, a source of an ndjson archive.
     *
     * @param path the entry in the archive (json only)
     * @param sha256 hex SHA-256 of the file's bytes (for a source, of the payload's)
     * @param size the file's bytes
     * @param resources clinical resources in it, outcome entries excluded
     * @param filtered true when the archive was asked with {@code type}/{@code from}/{@code to}, so the Bundle was
     *        re-written with only the entries that pass (even if all did)
     * @param payloadSha256 when filtered: the SHA-256 of the stored payload it was made from
     * @param undated with {@code from}/{@code to}: resources kept because they have no clinical date
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PayloadFile(String path, String mrn, long mappingId, String mappingKey, String mappingName,
            String status, String fetchedAt, String query, String sha256, long size, long resources,
            @JsonProperty("protected") boolean protectedRecord, Boolean filtered, String payloadSha256, Long undated) {
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
