package org.fhirsnapshot.archive.rest;

/** The form of a project key in an address. */
final class ProjectKeys {

    static final String PATTERN = "[a-z0-9-]{1,64}";
    static final String MESSAGE = "a project key is 1 to 64 lower-case letters, digits and hyphens";

    private ProjectKeys() {
    }
}
