package org.fhirsnapshot.console;

/** The services whose public API the console forwards. */
public enum Backend {
    CONFIG, MRN, SYNC, ARCHIVE
}
