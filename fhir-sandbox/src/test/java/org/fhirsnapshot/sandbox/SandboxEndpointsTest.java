package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.ObjectMapper;

import ca.uhn.fhir.context.FhirContext;

class SandboxEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final RunningSandbox RUNNING = new RunningSandbox();

    @Test
    void groundTruthEndpointServesTheCohortsGroundTruth() throws Exception {
        HttpResponse<String> response = RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/ground-truth");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readValue(response.body(), GroundTruth.class))
                .isEqualTo(RUNNING.sandbox().cohort().groundTruth());
    }

    @Test
    void demoMrnsEndpointListsEveryDemoMrnIncludingTheUnknownOnes() {
        HttpResponse<String> response = RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/demo-mrns");
        List<String> unknownMrns = RUNNING.sandbox().cohort().groundTruth().patients().stream()
                .filter(truth -> !truth.exists()).map(GroundTruth.PatientTruth::mrn).toList();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        List<String> lines = response.body().lines().toList();
        assertThat(lines).containsExactlyElementsOf(RUNNING.sandbox().cohort().demoMrns());
        assertThat(unknownMrns).hasSize(4);
        assertThat(lines).containsAll(unknownMrns);
    }

    @Test
    void statsCountRequestsSearchesAndPages() throws Exception {
        SandboxStats before = JSON.readValue(
                RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/stats").body(),
                SandboxStats.class);

        RUNNING.client().searchAllPages("Observation?patient=p003&category=laboratory&_count=1000");
        RUNNING.client().get("metadata");

        SandboxStats after = JSON.readValue(RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/stats").body(),
                SandboxStats.class);
        assertThat(after.requests() - before.requests()).isEqualTo(4);
        assertThat(after.searches() - before.searches()).isEqualTo(1);
        assertThat(after.pages() - before.pages()).isEqualTo(3);
        assertThat(RUNNING.sandbox().stats()).isEqualTo(after);
    }

    @Test
    void unknownSandboxEndpointAnswers404() {
        assertThat(RUNNING.client().get(RUNNING.sandbox().rootUrl() + "/sandbox/nothing-here").statusCode())
                .isEqualTo(404);
    }
}
