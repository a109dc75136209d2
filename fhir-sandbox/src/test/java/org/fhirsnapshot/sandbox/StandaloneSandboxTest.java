package org.fhirsnapshot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import ca.uhn.fhir.context.FhirContext;

/** The sandbox as the local stack starts it: its own JVM on the classpath file the build writes. */
class StandaloneSandboxTest {

    @Test
    void standaloneProcessPrintsTheReadyLineAndServesTheCohortOfTheSizeAsked() throws Exception {
        String classpath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
                + Files.readString(Path.of("target", "sandbox.classpath")).trim();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classpath, FhirSandbox.class.getName(), "--port", "0",
                "--mrns", "61");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String readyLine = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(60, TimeUnit.SECONDS);

            assertThat(readyLine).matches("FHIR sandbox ready at http://127\\.0\\.0\\.1:\\d+/fhir");
            String baseUrl = readyLine.substring("FHIR sandbox ready at ".length());
            SandboxClient client = new SandboxClient(FhirContext.forR4Cached(), baseUrl);
            assertThat(client.get("Patient?_id=p001").statusCode()).isEqualTo(200);
            assertThat(SandboxClient.matchIds(List.of(client.search("Patient?_id=p061"))))
                    .as("--mrns 61: one more than the demo").containsExactly("Patient/p061");
            assertThat(process.isAlive()).isTrue();
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void commandLineTakesPortAndMrnsAndRefusesAnythingElse() {
        assertThat(FhirSandbox.CommandLine.of(new String[0])).isEqualTo(new FhirSandbox.CommandLine(8090, 60));
        assertThat(FhirSandbox.CommandLine.of(new String[]{"--port", "0", "--mrns=300"}))
                .isEqualTo(new FhirSandbox.CommandLine(0, 300));
        for (String[] wrong : List.of(new String[]{"--mrns", "0"}, new String[]{"--port", "70000"},
                new String[]{"--mrns", "many"}, new String[]{"--cohort", "5"})) {
            assertThatThrownBy(() -> FhirSandbox.CommandLine.of(wrong)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
