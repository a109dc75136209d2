package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.fetch.ScriptedEhr.json;
import static org.fhirsnapshot.fetch.ScriptedEhr.observation;
import static org.fhirsnapshot.fetch.ScriptedEhr.page;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The merged Bundle streamed to the payload store page by page: what is stored, and that a search that fails
 * (an error on a later page, the byte limit) leaves neither a payload nor a partial one. A scripted EHR over real
 * HTTP, a real payload store in a temporary folder; each test starts with an empty store.
 */
class StreamedPayloadTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicLong IDS = new AtomicLong(5_000);
    private static final long MAX_BYTES = 20_000;
    private static FetchWorkerParts worker;
    private static ScriptedEhr ehr;

    @BeforeAll
    static void start() {
        worker = new FetchWorkerParts(Map.of("fhir-snapshot.fetch.retry.initial-backoff", "10ms",
                "fhir-snapshot.fetch.max-bytes", Long.toString(MAX_BYTES)));
        ehr = new ScriptedEhr(worker.vertx.getDelegate());
    }

    @AfterAll
    static void stop() {
        ehr.close();
        worker.close();
    }

    @BeforeEach
    void emptyStore() {
        assertThat(worker.partialPayloads()).isEmpty();
        worker.storedPayloads().forEach(file -> file.toFile().delete());
    }

    @Test
    void storesEveryPageOfAPagedSearchAsOneBundleWithTheTotalAtTheEnd() throws IOException {
        ehr.script(request -> {
            int n = pageNumber(request.uri());
            String next = n < 12 ? ehr.baseUrl() + "/Observation?page=" + (n + 1) : null;
            json(request, 200, page(next, observation("o" + (2 * n - 1)), observation("o" + 2 * n)));
        });

        FetchResult result = fetch();

        assertThat(result.outcome()).as("%s %s", result.errorClass(), result.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        assertThat(result.pagination().pages()).isEqualTo(12);
        assertThat(result.pagination().resources()).isEqualTo(24);
        JsonNode bundle = payload(result);
        List<String> ids = new ArrayList<>();
        bundle.path("entry").forEach(entry -> ids.add(entry.path("resource").path("id").asText()));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 24; i++) {
            expected.add("o" + i);
        }
        assertThat(ids).containsExactlyElementsOf(expected);
        assertThat(bundle.path("total").asInt()).isEqualTo(24);
        assertThat(bundle.path("link").get(0).path("url").asText())
                .isEqualTo(ehr.baseUrl() + "/Observation?patient=p1&_count=2");
        List<String> fields = new ArrayList<>();
        bundle.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("resourceType", "type", "link", "entry", "total");
        assertThat(result.pagination().bytes()).isEqualTo(storedSize(result));
        assertThat(worker.partialPayloads()).isEmpty();
    }

    @Test
    void aSearchThatFailsOnALaterPageLeavesNoPayloadBehind() {
        ehr.script(request -> {
            int n = pageNumber(request.uri());
            if (n < 3) {
                json(request, 200, page(ehr.baseUrl() + "/Observation?page=" + (n + 1), observation("o" + n)));
            } else {
                json(request, 400, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                        + "\"code\":\"invalid\"}]}");
            }
        });

        FetchResult result = fetch();

        assertThat(result.errorClass()).isEqualTo("invalid_spec");
        assertThat(ehr.received()).hasSize(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(worker.partialPayloads()).isEmpty());
        assertThat(worker.storedPayloads()).isEmpty();
    }

    @Test
    void aSearchWhosePayloadGrowsPastTheByteLimitFailsAsTooLargeAndLeavesNoPayloadBehind() {
        String note = "x".repeat(1_500);
        ehr.script(request -> {
            int n = pageNumber(request.uri());
            json(request, 200, page(ehr.baseUrl() + "/Observation?page=" + (n + 1),
                    "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o" + n + "\",\"note\":[{\"text\":\""
                            + note + "\"}]},\"search\":{\"mode\":\"match\"}}"));
        });

        FetchResult result = fetch();

        assertThat(result.errorClass()).isEqualTo("too_large");
        assertThat(result.errorMessage()).matches("the search's payload grew past " + MAX_BYTES
                + " bytes after \\d+ pages; it was stopped");
        // About 1 600 bytes a page: the 13th page takes the payload past 20 000 bytes.
        assertThat(ehr.received()).hasSize(13);
        await().atMost(WAIT).untilAsserted(() -> assertThat(worker.partialPayloads()).isEmpty());
        assertThat(worker.storedPayloads()).isEmpty();
    }

    private static int pageNumber(String uri) {
        int at = uri.indexOf("page=");
        return at < 0 ? 1 : Integer.parseInt(uri.substring(at + 5));
    }

    private static FetchResult fetch() {
        long id = IDS.incrementAndGet();
        FhirSystemSettings system = new FhirSystemSettings(id, "scripted", ehr.baseUrl(), null,
                new AuthSettings("none", null, null, null, null, null), new Limits(4, 0, 2));
        ClaimedInstance claim = new ClaimedInstance(id, "token-" + id, "streaming-test", 1, id, "mrn-" + id, "p1",
                "Observation", "Observation", 1);
        return worker.instances.fetch(claim, system).await().atMost(WAIT);
    }

    private static JsonNode payload(FetchResult result) throws IOException {
        try (InputStream in = worker.store.open(result.payloadRef())) {
            return FhirJson.parse(in.readAllBytes()).orElseThrow();
        }
    }

    private static long storedSize(FetchResult result) throws IOException {
        try (InputStream in = worker.store.open(result.payloadRef())) {
            return in.readAllBytes().length;
        }
    }
}
