package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.fhirsnapshot.e2e.HostileInputs.Body;
import org.fhirsnapshot.e2e.HostileInputs.Value;
import org.fhirsnapshot.testinfra.RawHttp;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.ApiClient;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's fuzz test: generated hostile input thrown at every endpoint that every service's OpenAPI document lists
 * (so an endpoint added later is covered without editing this test), with a token that passes the access check so
 * that input validation is what answers. No answer may be a 5xx; every 4xx is problem+json; a malformed body is never
 * accepted. Odd but well-formed input may be answered normally (a well-formed key of no project, an empty filter), so
 * the guard against harm is the state: afterwards every service is still ready and nothing has changed (the fixture's
 * instances are all completed, so even a retry of failed ones changes nothing). The
 * figures (inputs per endpoint, 5xx count) go to {@code e2e-tests/target/hostile-input-figures.md}.
 */
class HostileInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head");
    private static final Set<String> MUTATIONS = Set.of("POST", "PUT", "PATCH");

    private static LocalStack stack;
    private static Path work;
    /** The fixture's MRN, kept out of every failure message (PHI). */
    private static String fixtureMrn = "";
    private static ConsoleCapture jvmConsole;

    /** The ids the fuzzed calls use for the parameters that are not being fuzzed. */
    private record Fixture(String projectKey, long systemId, long mappingId, String mrn, long taskId) {
    }

    /** One endpoint's tally. */
    private static final class Tally {
        int inputs;
        int clientErrors;
        int successes;
        int serverErrors;
    }

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-hostile");
        jvmConsole = ConsoleCapture.start(work);
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                Map.of(), true), (part, endpoint) -> System.out.printf("hostile: %s ready at %s%n", part, endpoint));
    }

    @AfterAll
    static void stopStack() {
        PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, List.of());
    }

    @Test
    void everyEndpointAnswersHostileInputWithAProblemAndNeverAServerError() throws Exception {
        ApiClient api = stack.apiClient();
        Fixture fixture = createFixture(api);
        String before = awaitStableState(api, fixture);
        String admin = "Bearer " + stack.tokens().admin("fuzzer");
        String service = "Bearer " + stack.tokens().issue("fuzzer-service", List.of("service"), Duration.ofHours(1));

        Map<String, Tally> tallies = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Service target : List.of(Service.CONFIG, Service.MRN, Service.SYNC, Service.ARCHIVE)) {
            String baseUrl = stack.url(target);
            JsonNode paths = JSON.readTree(RawHttp.send(baseUrl, "GET", "/q/openapi?format=json", null, null, null,
                    true).body()).path("paths");
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> path = it.next();
                for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (!METHODS.contains(op.getKey())) {
                        continue;
                    }
                    String method = op.getKey().toUpperCase(Locale.ROOT);
                    String template = path.getKey();
                    String authorization = template.startsWith("/internal/") ? service : admin;
                    Tally tally = tallies.computeIfAbsent(target.module() + " " + method + " " + template,
                            key -> new Tally());
                    fuzz(baseUrl, method, template, op.getValue(), authorization, fixture, tally, failures);
                }
            }
        }

        for (Service target : List.of(Service.CONFIG, Service.MRN, Service.SYNC, Service.ARCHIVE)) {
            assertThat(RawHttp.send(stack.url(target), "GET", "/q/health/ready", null, null, null, true).status())
                    .as(target + " ready after the fuzzing").isEqualTo(200);
        }
        String after = state(api, fixture);
        writeFigures(tallies);
        assertThat(failures).as("answers that broke the rules").isEmpty();
        assertThat(after).as("what the fuzzing must not have changed").isEqualTo(before);
        assertThat(tallies.values().stream().mapToInt(t -> t.serverErrors).sum()).isZero();
        assertThat(tallies).as("endpoints fuzzed").hasSizeGreaterThan(25);
    }

    private static void fuzz(String baseUrl, String method, String template, JsonNode operation, String authorization,
            Fixture fixture, Tally tally, List<String> failures) throws IOException {
        List<String> pathParams = new ArrayList<>();
        List<String> queryParams = new ArrayList<>();
        for (JsonNode parameter : operation.path("parameters")) {
            String in = parameter.path("in").asText();
            if (in.equals("path")) {
                pathParams.add(parameter.path("name").asText());
            } else if (in.equals("query")) {
                queryParams.add(parameter.path("name").asText());
            }
        }
        for (String name : List.copyOf(pathParams)) {
            if (!template.contains("{" + name + "}")) {
                pathParams.remove(name);
            }
        }
        boolean takesBody = operation.has("requestBody");
        Body emptyObject = new Body("{}", "application/json", "{}".getBytes(StandardCharsets.UTF_8), false);
        String validPath = fill(template, fixture, null, null);

        for (String name : pathParams) {
            for (Value value : HostileInputs.parameterValues()) {
                String target = fill(template, fixture, name, value.text());
                check(baseUrl, method, target, authorization, takesBody ? emptyObject : null, false,
                        value.refusedByHttpLayer(), "path " + name + " = " + value.name(), tally, failures);
            }
        }
        for (String name : queryParams) {
            for (Value value : HostileInputs.parameterValues()) {
                String target = validPath + "?" + name + "=" + value.text();
                check(baseUrl, method, target, authorization, takesBody ? emptyObject : null, false,
                        value.refusedByHttpLayer(), "query " + name + " = " + value.name(), tally, failures);
            }
        }
        // A call that takes no body gets a few anyway, but only a read: a DELETE with a junk body at a valid address
        // is a valid DELETE.
        List<Body> bodies = HostileInputs.bodies();
        List<Body> sent = takesBody ? bodies : method.equals("GET") ? bodies.subList(0, 3) : List.of();
        for (Body body : sent) {
            check(baseUrl, method, validPath, authorization, body, takesBody && body.malformed(), false,
                    "body " + body.name(), tally, failures);
        }
    }

    private static void check(String baseUrl, String method, String target, String authorization, Body body,
            boolean mustBeRefused, boolean refusedByHttpLayer, String input, Tally tally, List<String> failures)
            throws IOException {
        boolean stream = target.contains("/events");
        RawHttp.Answer answer = RawHttp.send(baseUrl, method, target, authorization,
                body == null ? null : body.contentType(), body == null ? null : body.bytes(), !stream);
        tally.inputs++;
        int status = answer.status();
        String where = method + " " + shorten(target) + " (" + input + ")";
        if (status >= 500) {
            tally.serverErrors++;
            failures.add(where + ": " + status + " " + shorten(answer.body()));
        } else if (status >= 400) {
            tally.clientErrors++;
            boolean bareIsExpected = refusedByHttpLayer && status == 400;
            if (!method.equals("HEAD") && !bareIsExpected
                    && !answer.contentType().startsWith("application/problem+json")) {
                failures.add(where + ": " + status + " is not problem+json but '" + answer.contentType() + "'");
            }
        } else {
            tally.successes++;
            if (mustBeRefused && MUTATIONS.contains(method)) {
                failures.add(where + ": a malformed body was accepted with " + status);
            }
        }
    }

    /** The template with the fixture's ids, except {@code hostileName}, which gets {@code hostileValue}. */
    private static String fill(String template, Fixture fixture, String hostileName, String hostileValue) {
        String result = template;
        int start;
        while ((start = result.indexOf('{')) >= 0) {
            int end = result.indexOf('}', start);
            String name = result.substring(start + 1, end);
            String before = result.substring(0, start);
            String value = name.equals(hostileName) ? hostileValue : switch (name) {
                case "key" -> fixture.projectKey();
                case "mrn" -> fixture.mrn();
                case "id" -> before.endsWith("/fhir-systems/")
                        ? Long.toString(fixture.systemId())
                        : before.endsWith("/tasks/")
                                ? Long.toString(fixture.taskId())
                                : Long.toString(fixture.mappingId());
                default -> "1";
            };
            result = before + value + result.substring(end + 1);
        }
        return result;
    }

    private static Fixture createFixture(ApiClient api) {
        String config = stack.url(Service.CONFIG);
        long system = api.post(config + "/api/fhir-systems", Map.of("name", "Sandbox", "baseUrl",
                stack.sandbox().baseUrl(), "patientIdentifierSystem", SandboxCohort.MRN_SYSTEM)).path("id").asLong();
        String key = "hostile";
        api.post(config + "/api/projects", Map.of("key", key, "name", "Hostile input", "fhirSystemId", system,
                "enabled", true));
        long mapping = api.post(config + "/api/projects/" + key + "/mappings", Map.of("name", "Demographics",
                "type", "predefined", "spec", "demographics")).path("id").asLong();
        // Patients that exist and are not restricted: every instance completes, none fails.
        List<String> mrns = stack.sandbox().cohort().groundTruth().patients().stream()
                .filter(patient -> patient.exists() && !patient.restricted()).map(patient -> patient.mrn())
                .limit(5).toList();
        api.post(stack.url(Service.MRN) + "/api/projects/" + key + "/mrns", Map.of("mrns", mrns));
        long task = api.post(stack.url(Service.SYNC) + "/api/projects/" + key + "/tasks",
                Map.of("type", "full-sync")).path("id").asLong();
        fixtureMrn = mrns.get(0);
        return new Fixture(key, system, mapping, mrns.get(0), task);
    }

    /** The state once the fixture's fetches and tasks are over. */
    private static String awaitStableState(ApiClient api, Fixture fixture) {
        String[] last = {""};
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            JsonNode summary = api.get(stack.url(Service.MRN) + "/api/projects/" + fixture.projectKey()
                    + "/summary");
            boolean settled = summary.path("instances").path("pending").asLong() == 0
                    && summary.path("instances").path("fetching").asLong() == 0;
            String now = state(api, fixture);
            boolean same = now.equals(last[0]);
            last[0] = now;
            return settled && same;
        });
        return last[0];
    }

    /** What hostile input must not change: FHIR systems, projects, mappings, MRNs, instances, tasks. */
    private static String state(ApiClient api, Fixture fixture) {
        String config = stack.url(Service.CONFIG);
        String project = "/api/projects/" + fixture.projectKey();
        List<JsonNode> parts = List.of(
                api.get(config + "/api/fhir-systems?size=500").path("items"),
                api.get(config + "/api/projects?size=500").path("items"),
                api.get(config + project + "/mappings?size=500").path("items"),
                api.get(stack.url(Service.MRN) + project + "/summary"),
                api.get(stack.url(Service.MRN) + project + "/mrns"),
                api.get(stack.url(Service.SYNC) + project + "/tasks"));
        return parts.toString();
    }

    private static void writeFigures(Map<String, Tally> tallies) throws IOException {
        StringBuilder md = new StringBuilder("# Hostile input per endpoint\n\n")
                .append("| endpoint | inputs | 4xx | 2xx/3xx | 5xx |\n| --- | ---: | ---: | ---: | ---: |\n");
        int inputs = 0;
        int fives = 0;
        for (Map.Entry<String, Tally> entry : tallies.entrySet()) {
            Tally t = entry.getValue();
            md.append("| `").append(entry.getKey()).append("` | ").append(t.inputs).append(" | ")
                    .append(t.clientErrors).append(" | ").append(t.successes).append(" | ").append(t.serverErrors)
                    .append(" |\n");
            inputs += t.inputs;
            fives += t.serverErrors;
        }
        md.append("\n").append(tallies.size()).append(" endpoints, ").append(inputs).append(" hostile inputs, ")
                .append(fives).append(" answers 5xx.\n");
        Path file = Path.of("e2e-tests", "target", "hostile-input-figures.md"); // failsafe runs in the root
        Files.createDirectories(file.getParent());
        Files.writeString(file, md.toString());
        System.out.print(md);
    }

    private static String shorten(String text) {
        String safe = fixtureMrn.isEmpty() ? text : text.replace(fixtureMrn, "{mrn}");
        return safe.length() > 300 ? safe.substring(0, 300) + "…" : safe;
    }
}
