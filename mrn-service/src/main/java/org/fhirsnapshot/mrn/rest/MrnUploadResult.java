package org.fhirsnapshot.mrn.rest;

import java.util.List;
import org.fhirsnapshot.mrn.MrnUpload;

/**
 * What an upload did.
 *
 * @param added MRNs new to the project or re-activated
 * @param alreadyPresent valid MRNs that were already active
 * @param duplicates values that repeated one sent earlier in the same upload (counted once)
 * @param rejected invalid values, each with the reason and its position (from 1: line of a text upload, element of a
 *        JSON list)
 */
public record MrnUploadResult(int added, int alreadyPresent, int duplicates, List<MrnUpload.Rejected> rejected) {
}
