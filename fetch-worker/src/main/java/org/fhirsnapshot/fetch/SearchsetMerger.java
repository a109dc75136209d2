package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Merges the pages of one search into one searchset Bundle: every entry of every page, in order, as the EHR sent
 * it (the parsed JSON nodes themselves, resources never re-modelled). {@code total} counts the clinical resources:
 * entries whose {@code search.mode} is not {@code outcome}; outcome entries are kept but never counted. Not
 * thread-safe: one search at a time.
 */
public final class SearchsetMerger {

    private final ArrayNode entries = FhirJson.nodes().arrayNode();
    private final Set<String> warnings = new LinkedHashSet<>();
    private int pages;
    private int resources;
    private int outcomeEntries;
    private long bytesRead;

    /** Adds a searchset page; its entries are moved into the merged Bundle. */
    public void add(JsonNode page, long pageBytes) {
        pages++;
        bytesRead += pageBytes;
        for (JsonNode entry : OperationOutcomeClassifier.entries(page)) {
            entries.add(entry);
            if (OperationOutcomeClassifier.isOutcomeEntry(entry)) {
                outcomeEntries++;
            } else {
                resources++;
            }
        }
        warnings.addAll(OperationOutcomeClassifier.warnings(page));
    }

    /** Adds a warning of the worker's own (without PHI). */
    public void warn(String warning) {
        warnings.add(warning);
    }

    /**
     * {@code {"resourceType":"Bundle","type":"searchset","total":n,"link":[{"relation":"self","url":…}],
     * "entry":[…]}}; {@code entry} is left out when there is none (FHIR JSON has no empty arrays).
     */
    public ObjectNode bundle(String selfUrl) {
        ObjectNode bundle = FhirJson.nodes().objectNode();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "searchset");
        bundle.put("total", resources);
        ObjectNode self = bundle.putArray("link").addObject();
        self.put("relation", "self");
        self.put("url", selfUrl);
        if (!entries.isEmpty()) {
            bundle.set("entry", entries);
        }
        return bundle;
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
