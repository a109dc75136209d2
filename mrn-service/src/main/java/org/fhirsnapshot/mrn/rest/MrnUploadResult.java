package org.fhirsnapshot.mrn.rest;

import java.util.List;
import org.fhirsnapshot.mrn.MrnUpload;

/**
 * What an upload did.
 *
 * @param added MRNs new to the project or re-activated
 * @param alreadyPresent valid MRNs that were already active
 * @param rejected invalid values, each with the reason
 */
public record MrnUploadResult(int added, int alreadyPresent, List<MrnUpload.Rejected> rejected) {
}
