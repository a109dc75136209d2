package org.fhirsnapshot.archive.rest;

import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.fhirsnapshot.archive.ArchiveFilters;

/**
 * The project, filters and range of an archive request, the same for GET and HEAD ({@code @Valid @BeanParam}: the key's
 * form is checked by bean validation).
 */
public class ArchiveRequest {

    @PathParam("key")
    @Pattern(regexp = ProjectKeys.PATTERN, message = ProjectKeys.MESSAGE)
    String key;

    @QueryParam("mrn")
    List<String> mrn;
    @QueryParam("mapping")
    List<String> mapping;
    @QueryParam("format")
    String format;
    @QueryParam("fetchedAfter")
    String fetchedAfter;
    @QueryParam("fetchedBefore")
    String fetchedBefore;
    @QueryParam("type")
    List<String> type;
    @QueryParam("from")
    String from;
    @QueryParam("to")
    String to;
    @HeaderParam("Range")
    String range;
    @HeaderParam("If-Range")
    String ifRange;

    /** The filters, checked: a 400 problem naming each bad one. */
    ArchiveFilters filters() {
        return ArchiveFilters.parse(mrn, mapping, format, fetchedAfter, fetchedBefore, type, from, to);
    }
}
