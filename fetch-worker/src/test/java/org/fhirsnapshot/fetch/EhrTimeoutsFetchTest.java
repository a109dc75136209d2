package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Timeouts;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxFaults;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A FHIR system's own timeouts ({@code FhirSystemSettings.timeouts}) over the worker's defaults, against the real
 * sandbox made slow and against an EHR that accepts no connection. The worker here does not retry (max-retries 0)
 * and waits long by default (read 20 s, connect 60 s, total 10 min), so only the system's own timeouts can end
 * these fetches soon.
 */
class EhrTimeoutsFetchTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicLong IDS = new AtomicLong(7_000);

    private static FhirSandbox sandbox;
    private static FetchWorkerParts worker;

    @BeforeAll
    static void start() {
        sandbox = FhirSandbox.start(0);
        worker = new FetchWorkerParts(Map.of(
                "fhir-snapshot.fetch.retry.max-retries", "0",
                "fhir-snapshot.fetch.read-timeout", "20s",
                "fhir-snapshot.fetch.connect-timeout", "60s"));
    }

    @AfterAll
    static void stop() {
        worker.close();
        sandbox.close();
    }

    @AfterEach
    void resetFaults() {
        sandbox.faults().reset();
    }

    @Test
    void aSystemsReadTimeoutFailsAnAnswerSlowerThanItAsTimeoutWhereTheWorkersDefaultWaits() {
        PatientTruth patient = openPatient();
        sandbox.faults().set(SandboxFaults.none().withLatencyMillis(2_000));

        FetchResult ownTimeout = fetch(patient, "Patient", new Timeouts(0, 1, 0));
        FetchResult workerDefault = fetch(patient, "Patient", null);

        assertThat(ownTimeout.outcome()).isEqualTo(FetchOutcome.failed);
        assertThat(ownTimeout.errorClass()).isEqualTo("timeout");
        assertThat(ownTimeout.errorMessage()).isEqualTo("the EHR did not answer in time");
        assertThat(workerDefault.outcome()).as("%s %s", workerDefault.errorClass(), workerDefault.errorMessage())
                .isEqualTo(FetchOutcome.completed);
    }

    @Test
    void aSystemsConnectTimeoutFailsAnEhrThatAcceptsNoConnectionAsTimeout() throws IOException {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Nobody accepts and the backlog is full: the kernel drops further SYNs, a connect hangs.
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket socket = new Socket();
                    try {
                        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()),
                                300);
                        queued.add(socket);
                    } catch (IOException hangs) {
                        socket.close();
                    }
                }
                String baseUrl = "http://127.0.0.1:" + full.getLocalPort() + "/fhir";

                FetchResult result = fetch(baseUrl, new Timeouts(1, 0, 0), "p1", "Patient");

                assertThat(result.errorClass()).isEqualTo("timeout");
                assertThat(result.errorMessage()).isEqualTo("the EHR did not accept a connection in time");
            } finally {
                for (Socket socket : queued) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aClosedPortFailsAsNetworkAtOnce() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }

        FetchResult result = fetch("http://127.0.0.1:" + closed + "/fhir", new Timeouts(1, 1, 0), "p1", "Patient");

        assertThat(result.errorClass()).isEqualTo("network");
        assertThat(result.errorMessage())
                .isEqualTo("the EHR could not be reached (connection refused, reset or closed)");
    }

    @Test
    void theTotalTimeoutEndsAFetchOfManyPagesAsTimeoutAndLeavesNoPartialPayload() {
        PatientTruth heavy = sandbox.cohort().groundTruth().patients().stream()
                .filter(patient -> patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size() == 2_500)
                .findFirst().orElseThrow();
        SandboxStats before = sandbox.stats();
        // 25 pages of 400 ms each: about 10 s, five times the system's total timeout.
        sandbox.faults().set(SandboxFaults.none().withLatencyMillis(400));

        FetchResult result = fetch(heavy, LABORATORY, new Timeouts(0, 0, 2));

        assertThat(result.errorClass()).isEqualTo("timeout");
        assertThat(result.errorMessage()).isEqualTo("the fetch took longer than its total timeout of 2 s (patient "
                + "lookup, every page and the retries); it was stopped");
        long pagesRead = sandbox.stats().pages() - before.pages();
        assertThat(pagesRead).isBetween(1L, 24L);
        // The fetch was stopped, not only reported: no further page is asked for (one in flight may still be
        // served), and its partial payload is deleted.
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> worker.partialPayloads().isEmpty()
                && sandbox.stats().pages() - before.pages() <= pagesRead + 1);
    }

    private static PatientTruth openPatient() {
        return sandbox.cohort().groundTruth().patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).findFirst().orElseThrow();
    }

    private static FetchResult fetch(PatientTruth patient, String query, Timeouts timeouts) {
        return fetch(sandbox.baseUrl(), timeouts, patient.patientId(), query);
    }

    private static FetchResult fetch(String baseUrl, Timeouts timeouts, String patientId, String query) {
        long id = IDS.incrementAndGet();
        FhirSystemSettings system = new FhirSystemSettings(id, "timeouts", baseUrl, SandboxCohort.MRN_SYSTEM,
                new AuthSettings("none", null, null, null, null, null), new Limits(4, 0, 100), timeouts);
        String type = query.contains("?") ? query.substring(0, query.indexOf('?')) : query;
        ClaimedInstance claim = new ClaimedInstance(id, "token-" + id, "timeouts-test", 1, id, "mrn-" + id,
                patientId, type, query, 1);
        return worker.instances.fetch(claim, system).await().atMost(WAIT);
    }
}
