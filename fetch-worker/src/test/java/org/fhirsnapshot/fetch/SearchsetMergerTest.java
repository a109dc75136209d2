package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.json;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.observationEntry;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.outcomeEntry;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.searchset;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SearchsetMergerTest {

    private static final String EPIC = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Test
    void mergesEveryEntryOfEveryPageInOrderAndCountsOnlyClinicalResources() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Observation?patient=p1&_count=2");
        merger.add(json(searchset(observationEntry("a"), observationEntry("b"))), 100);
        merger.add(json(searchset(observationEntry("c"), outcomeEntry("warning", "processing", EPIC, "4119"))), 50);

        JsonNode bundle = finished(merger);

        assertThat(bundle.path("resourceType").asText()).isEqualTo("Bundle");
        assertThat(bundle.path("type").asText()).isEqualTo("searchset");
        assertThat(bundle.path("total").asInt()).isEqualTo(3);
        assertThat(bundle.path("link")).hasSize(1);
        assertThat(bundle.path("link").get(0).path("relation").asText()).isEqualTo("self");
        assertThat(bundle.path("link").get(0).path("url").asText())
                .isEqualTo("http://ehr/fhir/Observation?patient=p1&_count=2");
        assertThat(bundle.path("entry")).extracting(entry -> entry.path("resource").path("id").asText(""))
                .containsExactly("a", "b", "c", "");
        assertThat(merger.pages()).isEqualTo(2);
        assertThat(merger.resources()).isEqualTo(3);
        assertThat(merger.outcomeEntries()).isEqualTo(1);
        assertThat(merger.bytesRead()).isEqualTo(150);
        assertThat(merger.warnings()).containsExactly("Epic 4119: more data may exist");
    }

    @Test
    void writesTheBundleInTheDocumentedShapeWithEntriesUnaltered() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Observation?patient=p1");
        String entry = "{\"fullUrl\":\"http://ehr/fhir/Observation/a\",\"resource\":{\"resourceType\":\"Observation\","
                + "\"id\":\"a\",\"valueQuantity\":{\"value\":1.50,\"unit\":\"mg/dL\"},\"note\":[{\"text\":\"é ✓\"}],"
                + "\"extension\":[{\"url\":\"x\",\"valueDecimal\":0.000100}]},\"search\":{\"mode\":\"match\"}}";
        merger.add(json(searchset(entry)), 10);
        merger.finish();

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"resourceType\":\"Bundle\",\"type\":"
                + "\"searchset\",\"link\":[{\"relation\":\"self\",\"url\":\"http://ehr/fhir/Observation?patient=p1\"}],"
                + "\"entry\":[" + entry + "],\"total\":1}");
    }

    @Test
    void writesEachPageThroughAsItIsAdded() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Observation?patient=p1");
        merger.add(json(searchset(observationEntry("first"))), 10);
        int afterFirstPage = out.size();

        merger.add(json(searchset(observationEntry("second"))), 10);

        assertThat(out.toString(StandardCharsets.UTF_8).substring(0, afterFirstPage)).contains("\"first\"")
                .doesNotContain("\"second\"").doesNotContain("total");
        assertThat(out.size()).isGreaterThan(afterFirstPage);
        assertThat(finished(merger).path("entry")).hasSize(2);
    }

    @Test
    void keepsOutcomeEntriesOfAnEmptySearchWithTotalZero() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Coverage?patient=p1");
        merger.add(json(searchset(outcomeEntry("information", "informational", EPIC, "4101"))), 10);

        JsonNode bundle = finished(merger);

        assertThat(bundle.path("total").asInt()).isZero();
        assertThat(bundle.path("entry")).hasSize(1);
        assertThat(bundle.path("entry").get(0).path("resource").path("resourceType").asText())
                .isEqualTo("OperationOutcome");
        assertThat(merger.outcomeEntries()).isEqualTo(1);
        assertThat(merger.warnings()).isEmpty();
    }

    @Test
    void leavesOutEntryWhenNoPageHadAny() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Coverage?patient=p1");
        merger.add(json("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}"), 10);

        JsonNode bundle = finished(merger);

        assertThat(bundle.has("entry")).isFalse();
        assertThat(bundle.path("total").asInt()).isZero();
    }

    @Test
    void countsIncludedResourcesAndEntriesWithoutModeAsClinical() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Observation?patient=p1");
        merger.add(json(searchset("{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"a\"}}",
                "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\"},\"search\":{\"mode\":\"include\"}}")), 10);

        assertThat(merger.resources()).isEqualTo(2);
        assertThat(merger.outcomeEntries()).isZero();
    }

    @Test
    void repeatsAWarningOfManyPagesOnlyOnce() throws IOException {
        SearchsetMerger merger = new SearchsetMerger(out, "http://ehr/fhir/Observation?patient=p1");
        for (int i = 0; i < 3; i++) {
            merger.add(json(searchset(observationEntry("o" + i), outcomeEntry("warning", "processing", EPIC, "4119"))),
                    10);
        }
        merger.warn("a warning of the worker");

        assertThat(merger.warnings()).containsExactly("Epic 4119: more data may exist", "a warning of the worker");
    }

    private JsonNode finished(SearchsetMerger merger) throws IOException {
        merger.finish();
        return FhirJson.parse(out.toByteArray()).orElseThrow();
    }
}
