package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.sandbox.GroundTruth;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;

/**
 * Checks a snapshot's ZIP against the sandbox's ground truth: one file per existing, unrestricted patient and
 * search holding exactly the expected resources (none twice), the manifest's counts, and the failures the EHR
 * causes (unknown MRNs not found, restricted patients protected).
 */
final class GroundTruthCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GroundTruthCheck() {
    }

    /**
     * @param zipFile the snapshot's archive
     * @param truth the sandbox's ground truth
     * @param mappings catalog key or custom spec, and the search the ground truth knows it by
     */
    static void assertArchiveMatches(Path zipFile, GroundTruth truth, Map<String, String> mappings) throws Exception {
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            JsonNode manifest = read(zip, "manifest.json");
            Map<String, JsonNode> filesByMrnAndQuery = new HashMap<>();
            manifest.path("files").forEach(file -> filesByMrnAndQuery.put(file.path("mrn").asText() + " "
                    + file.path("query").asText(), file));

            long expectedResources = 0;
            for (PatientTruth patient : truth.patients()) {
                for (String search : mappings.values()) {
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
                    assertThat(ofPatient).hasSize(mappings.size())
                            .allSatisfy(f -> assertThat(f.path("errorClass").asText()).isEqualTo("not_found"));
                } else if (patient.restricted()) {
                    assertThat(ofPatient).hasSize(mappings.size() - 1).allSatisfy(f -> {
                        assertThat(f.path("errorClass").asText()).isEqualTo("protected");
                        assertThat(f.path("protected").asBoolean()).isTrue();
                    });
                } else {
                    assertThat(ofPatient).isEmpty();
                }
            }
        }
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

    static JsonNode read(ZipFile zip, String name) throws Exception {
        ZipEntry entry = zip.getEntry(name);
        assertThat(entry).as("ZIP entry %s", name).isNotNull();
        try (InputStream in = zip.getInputStream(entry)) {
            return JSON.readTree(in);
        }
    }
}
