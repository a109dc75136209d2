package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.SnapshotJob;
import org.fhirsnapshot.launcher.SnapshotRequest;
import org.fhirsnapshot.launcher.SnapshotSummary;
import org.fhirsnapshot.launcher.StackOptions;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole system as processes (every service, a real Kafka broker and PostgreSQL) against the FHIR sandbox,
 * driven through the public APIs exactly as the command line drives it, and checked against the sandbox's own
 * ground truth.
 */
class SnapshotEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Catalog key or custom spec, and the search the sandbox's ground truth knows it by. */
    private static final Map<String, String> MAPPINGS = Map.of(
            "demographics", "Patient",
            "laboratory", "Observation?category=laboratory",
            "problem-list", "Condition?category=problem-list-item",
            "medications", "MedicationRequest",
            "Observation?category=social-history", "Observation?category=social-history");

    private static LocalStack stack;
    private static Path work;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-e2e");
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1),
                (part, endpoint) -> System.out.printf("e2e: %s ready at %s%n", part, endpoint));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void snapshotOfTheDemoCohortMatchesTheSandboxGroundTruth() throws Exception {
        SandboxCohort cohort = stack.sandbox().cohort();
        List<String> mrns = cohort.demoMrns();
        assertThat(mrns).hasSizeGreaterThanOrEqualTo(50);
        Path zipFile = work.resolve("snapshot.zip");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        SnapshotSummary summary = new SnapshotJob(urls(), new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(new SnapshotRequest(stack.sandbox().baseUrl(), SandboxCohort.MRN_SYSTEM, mrns,
                        new ArrayList<>(MAPPINGS.keySet()), zipFile));

        GroundTruth truth = cohort.groundTruth();
        assertThat(summary.instancesByStatus().get("completed") + summary.instancesByStatus().get("failed"))
                .isEqualTo((long) mrns.size() * MAPPINGS.size());
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            JsonNode manifest = read(zip, "manifest.json");
            Map<String, JsonNode> filesByMrnAndQuery = new HashMap<>();
            manifest.path("files").forEach(file -> filesByMrnAndQuery.put(file.path("mrn").asText() + " "
                    + file.path("query").asText(), file));
            Map<String, JsonNode> failedByMrnAndKey = new HashMap<>();
            manifest.path("failed").forEach(failed -> failedByMrnAndKey.put(failed.path("mrn").asText() + " "
                    + failed.path("mappingKey").asText(), failed));

            long expectedResources = 0;
            for (PatientTruth patient : truth.patients()) {
                for (String search : MAPPINGS.values()) {
                    JsonNode file = filesByMrnAndQuery.get(patient.mrn() + " " + search);
                    boolean withheld = patient.restricted() && !search.equals("Patient");
                    if (!patient.exists() || withheld) {
                        assertThat(file).as("no file for %s %s", patient.mrn(), search).isNull();
                        continue;
                    }
                    assertThat(file).as("file for %s %s", patient.mrn(), search).isNotNull();
                    List<String> ids = resourceIds(read(zip, file.path("path").asText()));
                    List<String> expected = truth.expectedIds(patient.mrn(), search);
                    assertThat(ids).as("%s %s", patient.mrn(), search).doesNotHaveDuplicates()
                            .containsExactlyInAnyOrderElementsOf(expected);
                    assertThat(file.path("resources").asLong()).isEqualTo(expected.size());
                    expectedResources += expected.size();
                }
            }
            assertThat(manifest.path("counts").path("resources").asLong()).isEqualTo(expectedResources);

            List<JsonNode> failed = new ArrayList<>();
            manifest.path("failed").forEach(failed::add);
            for (PatientTruth patient : truth.patients()) {
                List<JsonNode> ofPatient = failed.stream().filter(f -> f.path("mrn").asText().equals(patient.mrn()))
                        .toList();
                if (!patient.exists()) {
                    assertThat(ofPatient).hasSize(MAPPINGS.size())
                            .allSatisfy(f -> assertThat(f.path("errorClass").asText()).isEqualTo("not_found"));
                } else if (patient.restricted()) {
                    assertThat(ofPatient).hasSize(MAPPINGS.size() - 1).allSatisfy(f -> {
                        assertThat(f.path("errorClass").asText()).isEqualTo("protected");
                        assertThat(f.path("protected").asBoolean()).isTrue();
                    });
                } else {
                    assertThat(ofPatient).isEmpty();
                }
            }
        }
        Figures.record(summary, stack.sandbox(), truth, MAPPINGS.values());
    }

    /** Ids ({@code Type/id}) of the clinical resources of a searchset Bundle; outcome entries are not resources. */
    static List<String> resourceIds(JsonNode bundle) {
        List<String> ids = new ArrayList<>();
        bundle.path("entry").forEach(entry -> {
            if (!"outcome".equals(entry.path("search").path("mode").asText())) {
                JsonNode resource = entry.path("resource");
                ids.add(resource.path("resourceType").asText() + "/" + resource.path("id").asText());
            }
        });
        return ids;
    }

    private static JsonNode read(ZipFile zip, String name) throws Exception {
        ZipEntry entry = zip.getEntry(name);
        assertThat(entry).as("ZIP entry %s", name).isNotNull();
        try (InputStream in = zip.getInputStream(entry)) {
            return JSON.readTree(in);
        }
    }

    private static Map<Service, String> urls() {
        Map<Service, String> urls = new HashMap<>();
        for (Service service : Service.values()) {
            urls.put(service, stack.url(service));
        }
        return urls;
    }
}
