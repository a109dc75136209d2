package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.LocalTokens;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PHI scan over a stack's data directory laid out as {@code LocalStack} lays it out, with planted lines. */
class PhiLogScanTest {

    private static final SandboxCohort COHORT = SandboxCohort.demo();
    private static final String CLEAN_LINE = "16:21:07.112 INFO  [o.f.f.m.PendingResourceConsumer] fetched 3 "
            + "resources for instance 8f0c2c1e-5b1a-4d7e-9a55-0b3f2c7d9e10 (project e2e-ab12)";

    @TempDir
    Path stack;

    private final PhiLogScan scan = PhiLogScan.of(COHORT);

    @BeforeEach
    void writeCleanLogs() throws IOException {
        for (Service service : Service.BACKENDS) {
            write("logs/" + service.module() + ".log", CLEAN_LINE, CLEAN_LINE);
        }
        write("logs/worker-2/fetch-worker.log", CLEAN_LINE, CLEAN_LINE, CLEAN_LINE);
        write("kafka/broker.log", "[2026-11-26 16:20:58,101] INFO Kafka Server started (kafka.server.KafkaRaftServer)");
        write("kafka/format.log", "Formatting metadata directory");
    }

    @Test
    void cleanLogsPassAndEveryLineIsCounted() {
        assertThatCode(() -> scan.assertNoPhiInLogs(stack, 2)).doesNotThrowAnyException();

        PhiLogScan.Result result = scan.scan(stack);
        assertThat(result.hits()).isEmpty();
        assertThat(result.linesByFile()).containsEntry("logs/worker-2/fetch-worker.log", 3L)
                .containsEntry("logs/mrn-service.log", 2L).containsEntry("kafka/broker.log", 1L).hasSize(8);
    }

    @Test
    void anMrnInAReplicasLogFailsWithFileLineLoggerAndNumberButNotTheMrn() throws IOException {
        String mrn = COHORT.demoMrns().get(11);
        append("logs/worker-2/fetch-worker.log",
                "16:21:09.001 WARN  [o.f.f.c.FhirClient] no patient for identifier " + SandboxCohort.MRN_SYSTEM + "|"
                        + mrn);

        assertThatThrownBy(() -> scan.assertNoPhiInLogs(stack, 2)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("logs/worker-2/fetch-worker.log:4 [o.f.f.c.FhirClient] MRN #12")
                .hasMessageNotContaining(mrn);
    }

    @Test
    void aBearerTokenOrAPrivateKeyInALogFailsWithoutShowingIt(@TempDir Path keyDir) throws IOException {
        LocalTokens tokens = LocalTokens.loadOrCreate(keyDir);
        String token = tokens.admin("alice");
        append("logs/config-service.log",
                "16:21:11.000 DEBUG [o.f.c.r.ProjectResource] Authorization: Bearer " + token);
        append("logs/archive-service.log", "16:21:11.001 INFO  [o.f.a.Config] key " + tokens.privateKeyPem()
                .lines().findFirst().orElseThrow());

        assertThatThrownBy(() -> scan.assertNoPhiInLogs(stack, 2)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("logs/config-service.log:3 [o.f.c.r.ProjectResource] bearer token")
                .hasMessageContaining("logs/archive-service.log:3 [o.f.a.Config] private key")
                .hasMessageNotContaining(token);
    }

    @Test
    void aPatientNameAsAWholeWordFailsAndItsPatientIdToo() throws IOException {
        List<String> names = COHORT.patientNames().stream().filter(name -> name.length() >= 4).sorted().toList();
        String name = names.get(0);
        append("logs/sync-service.log", "16:21:10.500 INFO  [o.f.s.TaskRunner] patient " + name + " (Patient/p007)");

        PhiLogScan.Result result = scan.scan(stack);

        assertThat(result.hits()).singleElement().satisfies(hit -> {
            assertThat(hit.file()).isEqualTo("logs/sync-service.log");
            assertThat(hit.line()).isEqualTo(3);
            assertThat(hit.logger()).isEqualTo("o.f.s.TaskRunner");
            assertThat(hit.phi()).contains("patient name #1", "patient id #").doesNotContain(name, "p007");
        });
        assertThatThrownBy(() -> scan.assertNoPhiInLogs(stack, 2)).hasMessageNotContaining(name);
    }

    @Test
    void namesInsideOtherWordsInAnotherCaseOrShorterThanFourLettersAreNoHit() throws IOException {
        assertThat(COHORT.patientNames()).contains("Sandbox", "Ada");
        append("logs/config-service.log", "16:21:11.000 INFO  [o.f.c.r.FhirSystemResource] FhirSandbox fhir-sandbox "
                + "SANDBOX sandboxes Ada p0071 MRN");

        assertThat(scan.scan(stack).hits()).isEmpty();
    }

    @Test
    void aMissingOrEmptyServiceLogFailsRatherThanPassingUnread() throws IOException {
        Files.move(stack.resolve("logs/archive-service.log"), stack.resolve("logs/archive-service.txt"));
        Files.writeString(stack.resolve("logs/worker-2/fetch-worker.log"), "");

        assertThatThrownBy(() -> scan.assertNoPhiInLogs(stack, 2)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("logs/archive-service.log")
                .hasMessageContaining("logs/worker-2/fetch-worker.log");
    }

    @Test
    void aThirdReplicaThatWroteNoLogFails() {
        assertThatThrownBy(() -> scan.assertNoPhiInLogs(stack, 3)).hasMessageContaining(
                "logs/worker-3/fetch-worker.log");
    }

    @Test
    void anMrnInPostgresqlsLogCapturedFromTheTestJvmConsoleFails(@TempDir Path work) throws IOException {
        Path stackDirectory = Files.createDirectories(work.resolve("stack"));
        Files.move(stack.resolve("logs"), stackDirectory.resolve("logs"));
        Files.move(stack.resolve("kafka"), stackDirectory.resolve("kafka"));
        String mrn = COHORT.demoMrns().get(0);
        PrintStream originalErr = System.err;
        try (ConsoleCapture capture = ConsoleCapture.start(work)) {
            System.err.println("[postgres:pid(1)] INFO io.zonky.test.db.postgres.embedded.EmbeddedPostgres - "
                    + "DETAIL:  Key (project_id, mrn)=(7, " + mrn + ") already exists.");
            System.out.println("e2e: stack ready");
            capture.close();
            assertThat(System.err).isSameAs(originalErr);

            assertThatThrownBy(() -> scan.assertNoPhiInLogs(stackDirectory, 2, capture.files()))
                    .hasMessageContaining("../test-jvm.err.log:1 [?] MRN #1").hasMessageNotContaining(mrn);
        }
    }

    @Test
    void anEmptyCapturedConsoleFails(@TempDir Path work) {
        try (ConsoleCapture capture = ConsoleCapture.start(work)) {
            capture.close();

            assertThatThrownBy(() -> scan.assertNoPhiInLogs(stack, 2, capture.files()))
                    .hasMessageContaining("test-jvm.out.log").hasMessageContaining("test-jvm.err.log");
        }
    }

    @Test
    void kafkaTopicDataIsNotALogAndIsNotScanned() throws IOException {
        write("kafka/kraft-logs/fetch-result-0/00000000000000000000.log", "binary " + COHORT.demoMrns().get(0));

        assertThat(scan.scan(stack).linesByFile()).doesNotContainKey(
                "kafka/kraft-logs/fetch-result-0/00000000000000000000.log");
    }

    private void write(String file, String... lines) throws IOException {
        Path path = stack.resolve(file);
        Files.createDirectories(path.getParent());
        Files.write(path, List.of(lines));
    }

    private void append(String file, String line) throws IOException {
        Files.write(stack.resolve(file), List.of(line), StandardOpenOption.APPEND);
    }
}
