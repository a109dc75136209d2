package org.fhirsnapshot.sync.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * mrn-service's answer to {@code POST /internal/sweep}: only the projects where something happened.
 *
 * @param projects one entry per project the sweep changed; null or empty when it changed nothing
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SweepAnswer(List<ProjectSweep> projects) {

    /** The projects the sweep changed, never null. */
    public List<ProjectSweep> changed() {
        return projects == null
                ? List.of()
                : projects.stream().filter(p -> p != null && p.projectKey() != null
                        && (p.leasesExpired() > 0 || p.republished() > 0)).toList();
    }

    /**
     * What the sweep did in one project.
     *
     * @param projectKey the project
     * @param leasesExpired instances {@code fetching} past their lease, back to {@code pending}
     * @param republished {@code pending} instances published again
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProjectSweep(String projectKey, int leasesExpired, int republished) {
    }
}
