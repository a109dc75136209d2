package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import ca.uhn.fhir.context.FhirContext;

class SandboxEndpointsTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FhirSandbox sandbox;
    private static SandboxClient client;

    @BeforeAll
    static void startSandbox() {
        sandbox = FhirSandbox.start(0);
        client = new SandboxClient(FHIR, sandbox.baseUrl());
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void groundTruthEndpointServesTheCohortsGroundTruth() throws Exception {
        HttpResponse<String> response = client.get(sandbox.rootUrl() + "/sandbox/ground-truth");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readValue(response.body(), GroundTruth.class)).isEqualTo(sandbox.cohort().groundTruth());
    }

    @Test
    void demoMrnsEndpointListsEveryDemoMrnIncludingTheUnknownOnes() {
        HttpResponse<String> response = client.get(sandbox.rootUrl() + "/sandbox/demo-mrns");
        List<String> unknownMrns = sandbox.cohort().groundTruth().patients().stream()
                .filter(truth -> !truth.exists()).map(GroundTruth.PatientTruth::mrn).toList();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        List<String> lines = response.body().lines().toList();
        assertThat(lines).containsExactlyElementsOf(sandbox.cohort().demoMrns());
        assertThat(unknownMrns).hasSize(4);
        assertThat(lines).containsAll(unknownMrns);
    }

    @Test
    void statsCountRequestsSearchesAndPages() throws Exception {
        SandboxStats before = JSON.readValue(client.get(sandbox.rootUrl() + "/sandbox/stats").body(),
                SandboxStats.class);

        client.searchAllPages("Observation?patient=p003&category=laboratory&_count=1000");
        client.get("metadata");

        SandboxStats after = JSON.readValue(client.get(sandbox.rootUrl() + "/sandbox/stats").body(),
                SandboxStats.class);
        assertThat(after.requests() - before.requests()).isEqualTo(4);
        assertThat(after.searches() - before.searches()).isEqualTo(1);
        assertThat(after.pages() - before.pages()).isEqualTo(3);
        assertThat(sandbox.stats()).isEqualTo(after);
    }

    @Test
    void unknownSandboxEndpointAnswers404() {
        assertThat(client.get(sandbox.rootUrl() + "/sandbox/nothing-here").statusCode()).isEqualTo(404);
    }
}
