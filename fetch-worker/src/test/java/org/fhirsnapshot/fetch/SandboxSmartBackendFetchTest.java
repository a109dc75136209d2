package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.fhirsnapshot.contracts.events.FetchOutcome;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.Limits;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.fhirsnapshot.sandbox.SandboxStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMART Backend Services against the real sandbox requiring it ({@link FhirSandbox#requireSmartBackend}): the token
 * endpoint discovered from {@code .well-known/smart-configuration}, tokens renewed as they run out, one renewal
 * after a 401, and a wrong key failing as {@code auth}.
 */
class SandboxSmartBackendFetchTest {

    private static final String LABORATORY = "Observation?category=laboratory";
    private static final String CLIENT = "fhir-snapshot-worker";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TOKEN_LIFETIME_SECONDS = 2;
    private static final AtomicLong IDS = new AtomicLong(1000);

    private static FhirSandbox sandbox;
    private static FetchWorkerParts worker;
    private static KeyPair keys;
    private static List<PatientTruth> patients;

    @BeforeAll
    static void start() throws Exception {
        sandbox = FhirSandbox.start(0);
        keys = TestKeys.keyPair("RS384");
        sandbox.requireSmartBackend(CLIENT, keys.getPublic(), TOKEN_LIFETIME_SECONDS);
        patients = sandbox.cohort().groundTruth().patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).limit(6).toList();
        worker = new FetchWorkerParts();
    }

    @AfterAll
    static void stop() {
        worker.close();
        sandbox.close();
    }

    @Test
    void completesEveryFetchAcrossShortLivedTokensWithTheTruthsIds() {
        FhirSystemSettings system = system(TestKeys.pem(keys), "RS384");
        SandboxStats before = sandbox.stats();

        List<FetchResult> results = new ArrayList<>(fetchAll(system));
        // Past the token's lifetime: the cached token is renewed before the next requests.
        await().pollDelay(Duration.ofMillis(TOKEN_LIFETIME_SECONDS * 1000L + 200)).atMost(WAIT).until(() -> true);
        results.addAll(fetchAll(system));

        assertThat(results).hasSize(patients.size() * 2).allSatisfy(result -> assertThat(result.outcome())
                .as("%s %s", result.errorClass(), result.errorMessage()).isEqualTo(FetchOutcome.completed));
        for (int i = 0; i < results.size(); i++) {
            PatientTruth patient = patients.get(i % patients.size());
            assertThat(results.get(i).pagination().resources())
                    .isEqualTo(patient.resourceIdsBySearch().getOrDefault(LABORATORY, List.of()).size());
        }
        SandboxStats after = sandbox.stats();
        assertThat(after.tokensIssued() - before.tokensIssued()).isGreaterThan(1);
    }

    @Test
    void renewsTheTokenOnceWhenTheEhrNoLongerAcceptsIt() {
        // Long-lived tokens here, so that the worker's token is still fresh in its eyes when the sandbox drops it.
        sandbox.requireSmartBackend(CLIENT, keys.getPublic(), 60);
        FhirSystemSettings system = system(TestKeys.pem(keys), "RS384");
        assertThat(fetch(patients.get(0), system).outcome()).isEqualTo(FetchOutcome.completed);
        // The sandbox forgets every token it issued: the worker's cached one is answered 401.
        sandbox.requireSmartBackend(CLIENT, keys.getPublic(), 60);
        SandboxStats before = sandbox.stats();

        FetchResult result = fetch(patients.get(1), system);

        assertThat(result.outcome()).as("%s %s", result.errorClass(), result.errorMessage())
                .isEqualTo(FetchOutcome.completed);
        SandboxStats after = sandbox.stats();
        assertThat(after.unauthorized() - before.unauthorized()).isEqualTo(1);
        assertThat(after.tokensIssued() - before.tokensIssued()).isEqualTo(1);
        sandbox.requireSmartBackend(CLIENT, keys.getPublic(), TOKEN_LIFETIME_SECONDS);
    }

    @Test
    void failsAsAuthWithoutSecretsWhenTheKeyIsNotTheRegisteredOne() throws Exception {
        String otherKey = TestKeys.pem(TestKeys.keyPair("ES384"));
        SandboxStats before = sandbox.stats();

        FetchResult result = fetch(patients.get(0), system(otherKey, "ES384"));

        assertThat(result.outcome()).isEqualTo(FetchOutcome.failed);
        assertThat(result.errorClass()).isEqualTo("auth");
        assertThat(result.errorMessage()).contains("token endpoint").contains("HTTP 400")
                .doesNotContain(otherKey.substring(30, 90)).doesNotContain("eyJ").doesNotContain("MRN");
        assertThat(sandbox.stats().tokensIssued()).isEqualTo(before.tokensIssued());
    }

    private static List<FetchResult> fetchAll(FhirSystemSettings system) {
        return patients.stream().map(patient -> fetch(patient, system)).toList();
    }

    private static FetchResult fetch(PatientTruth patient, FhirSystemSettings system) {
        long id = IDS.incrementAndGet();
        ClaimedInstance claim = new ClaimedInstance(id, "token-" + id, "smart-test", 1, id, patient.mrn(), null,
                "Observation", LABORATORY, 1);
        return worker.instances.fetch(claim, system).await().atMost(WAIT);
    }

    /** A system of its own per call (no token cached yet); the token endpoint is left to discovery. */
    private static FhirSystemSettings system(String privateKeyPem, String algorithm) {
        return new FhirSystemSettings(IDS.incrementAndGet(), "sandbox", sandbox.baseUrl(), SandboxCohort.MRN_SYSTEM,
                new AuthSettings("smart-backend", null, null, CLIENT, null, "system/*.read", privateKeyPem, "k1",
                        algorithm),
                new Limits(4, 0, 100));
    }
}
