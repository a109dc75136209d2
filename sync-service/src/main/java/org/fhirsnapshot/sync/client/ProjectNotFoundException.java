package org.fhirsnapshot.sync.client;

/** config-service does not know the project, or it is disabled. */
public class ProjectNotFoundException extends RuntimeException {

    private final boolean disabled;

    public ProjectNotFoundException(String projectKey, boolean disabled) {
        super(disabled ? "project " + projectKey + " is disabled" : "project not found: " + projectKey, null, false,
                false);
        this.disabled = disabled;
    }

    /** Whether it exists but is disabled. */
    public boolean disabled() {
        return disabled;
    }
}
