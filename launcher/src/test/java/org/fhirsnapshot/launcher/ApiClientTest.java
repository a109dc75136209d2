package org.fhirsnapshot.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.fhirsnapshot.sandbox.FhirSandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads against a real HTTP server: the FHIR sandbox's plain-text and JSON endpoints. */
class ApiClientTest {

    private static FhirSandbox sandbox;
    private final ApiClient api = new ApiClient();

    @BeforeAll
    static void start() {
        sandbox = FhirSandbox.start(0);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void aDownloadReplacesALongerFileWholeInsteadOfWritingOverItsStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshot.zip");
        Files.write(file, new byte[1_000_000]);
        String url = sandbox.rootUrl() + "/sandbox/demo-mrns";

        long size = api.download(url, file);

        byte[] body = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(size).isEqualTo(body.length).isLessThan(1_000_000);
        assertThat(Files.readAllBytes(file)).isEqualTo(body);
        assertThat(dir.resolve("snapshot.zip.part")).doesNotExist();
    }

    @Test
    void aFailedDownloadLeavesTheOldFileAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshot.zip");
        Files.writeString(file, "the previous archive");

        assertThatThrownBy(() -> api.download(sandbox.rootUrl() + "/sandbox/no-such-endpoint", file))
                .isInstanceOf(ApiClient.ApiException.class);

        assertThat(Files.readString(file)).isEqualTo("the previous archive");
        assertThat(dir.resolve("snapshot.zip.part")).doesNotExist();
    }
}
