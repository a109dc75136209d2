package org.fhirsnapshot.config.rest;

import org.fhirsnapshot.config.PredefinedCatalog;

/** One predefined mapping as {@code GET /api/catalog/predefined} lists it. */
public record CatalogEntryView(String key, String name, String search) {

    public static CatalogEntryView of(PredefinedCatalog.Entry entry) {
        return new CatalogEntryView(entry.key(), entry.name(), entry.search());
    }
}
