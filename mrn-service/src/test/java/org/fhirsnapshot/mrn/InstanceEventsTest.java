package org.fhirsnapshot.mrn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.fhirsnapshot.mrn.Fixtures.claim;
import static org.fhirsnapshot.mrn.Fixtures.reconcile;
import static org.fhirsnapshot.mrn.Fixtures.sendResult;
import static org.fhirsnapshot.mrn.Fixtures.vitalSigns;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.fhirsnapshot.contracts.events.FetchResult;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.ServiceProcessTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "mrn"))
@QuarkusTestResource(value = ServiceProcessTestResource.class, initArgs = @ResourceArg(name = "services", value = "config-service"))
class InstanceEventsTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void statusChangesOfTheProjectAreStreamedAsServerSentEventsWithoutMrns() throws Exception {
        String project = Fixtures.newProjectKey();
        String other = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 8);
        TestDatabase.seedMrns(other, 1);
        reconcile(project, List.of(vitalSigns(601, 1)));
        reconcile(other, List.of(vitalSigns(602, 1)));
        Deque<Long> unclaimed = new ArrayDeque<>(Fixtures.instanceIds(project));

        List<String> data = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<Stream<String>> response = http.sendAsync(
                HttpRequest.newBuilder(URI.create(root + "api/projects/" + project + "/events"))
                        .header("Accept", "text/event-stream")
                        // A reader of the project is enough to watch its status live.
                        .header("Authorization", "Bearer " + TestTokens.projectUser(project, "reader")).build(),
                HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        readDataLines(response, data);

        claimUntilAnEventShows(unclaimed, data);
        long id = unclaimed.pop();
        ClaimedInstance claimed = claim(List.of(id), 300).get(0);
        claim(Fixtures.instanceIds(other), 300);
        sendResult(FetchResult.completed(id, claimed.claimToken(), "sha256:sse", null, List.of(), null));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(data)
                .anySatisfy(line -> assertThat(line).contains("\"instanceId\":" + id + ",")
                        .contains("\"status\":\"completed\"").contains("\"mappingId\":601").contains("\"at\":")));
        assertThat(data).anySatisfy(line -> assertThat(line).contains("\"instanceId\":" + id + ",")
                .contains("\"status\":\"fetching\""));
        assertThat(data).allSatisfy(line -> assertThat(line).doesNotContain("MRN-").doesNotContain("602"));
        response.body().close();
    }

    @Test
    void eventsSayWhetherTheRecordIsProtectedAndTheErrorClassButNeverTheErrorText() throws Exception {
        String project = Fixtures.newProjectKey();
        TestDatabase.seedMrns(project, 8);
        reconcile(project, List.of(vitalSigns(603, 1)));
        Deque<Long> unclaimed = new ArrayDeque<>(Fixtures.instanceIds(project));
        List<String> data = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .sendAsync(HttpRequest.newBuilder(URI.create(root + "api/projects/" + project + "/events"))
                        .header("Accept", "text/event-stream")
                        .header("Authorization", "Bearer " + TestTokens.projectUser(project, "reader")).build(),
                        HttpResponse.BodyHandlers.ofLines())
                .get(10, TimeUnit.SECONDS);
        readDataLines(response, data);
        claimUntilAnEventShows(unclaimed, data);

        long withheld = unclaimed.pop();
        long retried = unclaimed.pop();
        List<ClaimedInstance> claimed = claim(List.of(withheld, retried), 300);
        sendResult(FetchResult.failed(withheld, claimed.get(0).claimToken(), "protected", "Break-the-glass for "
                + "Jane Doe", true, List.of(), null));
        sendResult(FetchResult.failed(retried, claimed.get(1).claimToken(), "server_error", "HTTP 503 for Jane Doe",
                false, List.of(), null));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(data).anySatisfy(line -> assertThat(line).contains("\"instanceId\":" + withheld + ",")
                    .contains("\"status\":\"failed\"").contains("\"protected\":true")
                    .contains("\"errorClass\":\"protected\""));
            // a transient failure goes back to pending for a retry and keeps its class until the next result
            assertThat(data).anySatisfy(line -> assertThat(line).contains("\"instanceId\":" + retried + ",")
                    .contains("\"status\":\"pending\"").contains("\"protected\":false")
                    .contains("\"errorClass\":\"server_error\""));
        });
        assertThat(data).anySatisfy(line -> assertThat(line).contains("\"instanceId\":" + withheld + ",")
                .contains("\"status\":\"fetching\"").contains("\"protected\":false")
                .doesNotContain("errorClass"));
        assertThat(data).allSatisfy(line -> assertThat(line).doesNotContain("Jane").doesNotContain("HTTP 503")
                .doesNotContain("Break-the-glass").doesNotContain("MRN-").doesNotContain("\"error\""));
        response.body().close();
    }

    /** Collects the stream's {@code data:} lines into {@code data} on a daemon thread, until the stream closes. */
    private static void readDataLines(HttpResponse<Stream<String>> response, List<String> data) {
        Thread reader = new Thread(() -> {
            try {
                response.body().filter(line -> line.startsWith("data:")).forEach(data::add);
            } catch (RuntimeException closed) {
                // the test closed the stream
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The server subscribes just after it sent the headers: claims one instance at a time until a change shows. */
    private static void claimUntilAnEventShows(Deque<Long> unclaimed, List<String> data) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
            claim(List.of(unclaimed.pop()), 300);
            return !data.isEmpty();
        });
    }
}
