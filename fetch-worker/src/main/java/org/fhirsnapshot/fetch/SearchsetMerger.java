package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the pages of one search as one searchset Bundle, streamed: {@code resourceType}, {@code type} and the
 * {@code self} link first, then every entry of every page, in order, as the page arrives and as the EHR sent it
 * (the parsed JSON nodes themselves, resources never re-modelled), then {@code total}. Only the page being added
 * is in memory. {@code total} counts the clinical resources: entries whose {@code search.mode} is not
 * {@code outcome}; outcome entries are kept but never counted. {@code entry} is left out when no page had one
 * (FHIR JSON has no empty arrays). Its IO blocks; not thread-safe: one search, one page at a time.
 */
public final class SearchsetMerger {

    private final JsonGenerator json;
    private final Set<String> warnings = new LinkedHashSet<>();
    private boolean entriesOpen;
    private int pages;
    private int resources;
    private int outcomeEntries;
    private long bytesRead;

    /**
     * Starts the Bundle in {@code out}: {@code {"resourceType":"Bundle","type":"searchset","link":[{"relation":
     * "self","url":selfUrl}]}, then entries as pages are added. {@code out} is not closed.
     */
    public SearchsetMerger(OutputStream out, String selfUrl) throws IOException {
        json = FhirJson.generator(out);
        json.writeStartObject();
        json.writeStringField("resourceType", "Bundle");
        json.writeStringField("type", "searchset");
        json.writeArrayFieldStart("link");
        json.writeStartObject();
        json.writeStringField("relation", "self");
        json.writeStringField("url", selfUrl);
        json.writeEndObject();
        json.writeEndArray();
    }

    /** Writes a searchset page's entries after those of the pages before it, through to the output stream. */
    public void add(JsonNode page, long pageBytes) throws IOException {
        pages++;
        bytesRead += pageBytes;
        for (JsonNode entry : OperationOutcomeClassifier.entries(page)) {
            if (!entriesOpen) {
                json.writeArrayFieldStart("entry");
                entriesOpen = true;
            }
            json.writeTree(entry);
            if (OperationOutcomeClassifier.isOutcomeEntry(entry)) {
                outcomeEntries++;
            } else {
                resources++;
            }
        }
        warnings.addAll(OperationOutcomeClassifier.warnings(page));
        json.flush();
    }

    /** Adds a warning of the worker's own (without PHI). */
    public void warn(String warning) {
        warnings.add(warning);
    }

    /** Ends the Bundle with {@code total} and flushes it to the output stream (which stays open). */
    public void finish() throws IOException {
        if (entriesOpen) {
            json.writeEndArray();
        }
        json.writeNumberField("total", resources);
        json.writeEndObject();
        json.close();
    }

    public int pages() {
        return pages;
    }

    public int resources() {
        return resources;
    }

    public int outcomeEntries() {
        return outcomeEntries;
    }

    /** Bytes of the pages as the EHR sent them (after transfer decompression). */
    public long bytesRead() {
        return bytesRead;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }
}
