package org.fhirsnapshot.mrn.rest;

import java.util.List;

/** {@code POST /api/projects/{key}/mrns} as JSON. */
public record MrnUploadRequest(List<String> mrns) {
}
