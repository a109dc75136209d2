package org.fhirsnapshot.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a snapshot produced.
 *
 * @param projectKey the project created for it
 * @param mrns MRNs in the cohort
 * @param instancesByStatus instance counts by status
 * @param protectedRecords instances the EHR withheld (break-the-glass)
 * @param resources clinical resources in the archive
 * @param archive the ZIP written
 * @param archiveBytes its size
 * @param elapsed from the first call to the last byte of the ZIP
 */
public record SnapshotSummary(String projectKey, long mrns, Map<String, Long> instancesByStatus, long protectedRecords,
        long resources, Path archive, long archiveBytes, Duration elapsed) {

    public String render() {
        StringBuilder text = new StringBuilder();
        text.append(String.format("Snapshot of project %s%n", projectKey));
        text.append(String.format("  MRNs        %d%n", mrns));
        text.append("  instances  ");
        instancesByStatus.forEach((status, count) -> text.append(String.format(" %s %d", status, count)));
        text.append(String.format("%n  protected   %d%n", protectedRecords));
        text.append(String.format("  resources   %d%n", resources));
        double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
        text.append(String.format("  elapsed     %.1f s (%.0f resources/s)%n", seconds, resources / seconds));
        text.append(String.format("  archive     %s (%,d bytes)%n", archive.toAbsolutePath(), archiveBytes));
        return text.toString();
    }
}
