package org.fhirsnapshot.fetch.config;

import io.smallrye.config.ConfigMapping;

/** Where fetched payloads are stored: {@code fhir-snapshot.payload-store.*}, as payload-store's {@link org.fhirsnapshot.payload.PayloadStoreConfig} describes it. */
@ConfigMapping(prefix = "fhir-snapshot.payload-store")
public interface PayloadStoreConfig extends org.fhirsnapshot.payload.PayloadStoreConfig {
}
