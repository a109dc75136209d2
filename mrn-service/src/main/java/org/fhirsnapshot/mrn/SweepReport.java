package org.fhirsnapshot.mrn;

import java.util.List;

/**
 * What one sweep did: the answer of {@code POST /internal/sweep}, for sync-service's sweeper to record as a
 * {@code sweep} task.
 *
 * @param projects the projects where something happened, by project key
 */
public record SweepReport(List<ProjectSweep> projects) {

    /**
     * What one sweep did in one project.
     *
     * @param projectKey the project
     * @param leasesExpired fetching instances whose lease had expired, back to pending (unpublished)
     * @param republished pending instances published longer than {@code publisher.republish-after} ago, made
     *        publishable again
     */
    public record ProjectSweep(String projectKey, int leasesExpired, int republished) {
    }
}
