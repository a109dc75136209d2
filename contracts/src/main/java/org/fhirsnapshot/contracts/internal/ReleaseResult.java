package org.fhirsnapshot.contracts.internal;

/** The answer to a {@link ReleaseRequest}: how many of the named claims were still current and went back to pending. */
public record ReleaseResult(int released) {
}
