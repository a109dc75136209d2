package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;

/**
 * MRN to FHIR Patient id. Reuses the id mrn-service already knows for the MRN; else, when the FHIR system has a
 * patient identifier system, searches {@code Patient?identifier={system}|{mrn}} and expects exactly one match;
 * without one, the MRN is the Patient id.
 */
@ApplicationScoped
public class PatientResolver {

    private final FhirHttpClient http;

    public PatientResolver(FhirHttpClient http) {
        this.http = http;
    }

    /** The Patient id; fails with {@code not_found}, {@code ambiguous} or how the EHR refused the search. */
    public Uni<String> resolve(ClaimedInstance claim, FhirSystemSettings system, FetchDeadline deadline) {
        if (claim.fhirPatientId() != null && !claim.fhirPatientId().isBlank()) {
            return Uni.createFrom().item(claim.fhirPatientId());
        }
        String identifierSystem = system.patientIdentifierSystem();
        if (identifierSystem == null || identifierSystem.isBlank()) {
            return Uni.createFrom().item(claim.mrn());
        }
        String url = SearchUrls.patientByIdentifier(system.baseUrl(), identifierSystem, claim.mrn());
        return http.get(system, url, deadline).map(response -> {
            JsonNode page = FhirJson.parse(response.body()).orElse(null);
            OperationOutcomeClassifier.classify(response.status(), page).ifPresent(failure -> {
                throw failure;
            });
            return onlyPatientId(page);
        });
    }

    /** The id of the one Patient that the searchset page matched. */
    static String onlyPatientId(JsonNode page) {
        List<JsonNode> matches = OperationOutcomeClassifier.entries(page).stream()
                .filter(entry -> {
                    String mode = entry.path("search").path("mode").asText("");
                    return mode.isEmpty() || "match".equals(mode);
                })
                .filter(entry -> "Patient".equals(entry.path("resource").path("resourceType").asText()))
                .toList();
        if (matches.isEmpty()) {
            throw new FetchFailure(ErrorClass.NOT_FOUND,
                    "no patient with this MRN under the configured identifier system");
        }
        if (matches.size() > 1 || PagingRules.nextLink(page) != null) {
            throw new FetchFailure(ErrorClass.AMBIGUOUS,
                    "several patients carry this MRN under the configured identifier system");
        }
        String id = matches.get(0).path("resource").path("id").asText("");
        if (id.isBlank()) {
            throw new FetchFailure(ErrorClass.UNEXPECTED_RESPONSE, "the EHR's matching Patient has no id");
        }
        return id;
    }
}
