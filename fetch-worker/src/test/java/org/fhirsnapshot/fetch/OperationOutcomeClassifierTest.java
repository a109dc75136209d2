package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OperationOutcomeClassifierTest {

    private static final String EPIC = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";

    @ParameterizedTest
    @ValueSource(strings = {"4130", "4131", "4134"})
    void epicBreakTheGlassCodesUnder403AreProtected(String code) {
        FetchFailure failure = classify(403, outcome("error", "suppressed", EPIC, code));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.PROTECTED);
        assertThat(failure.protectedRecord()).isTrue();
        assertThat(failure.getMessage())
                .isEqualTo("the EHR withheld this patient's record (break-the-glass, Epic " + code + ")");
    }

    @Test
    void epicCodeSystemOfAnyOrganisationIsRecognisedByItsSuffix() {
        FetchFailure failure = classify(403, outcome("error", "forbidden", "urn:oid:1.2.3.4.7.2.657369", "4130"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.PROTECTED);
    }

    @Test
    void hl7SuppressedWithActReasonBtgUnder403IsProtected() {
        FetchFailure failure = classify(403, outcome("error", "suppressed",
                "http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.PROTECTED);
        assertThat(failure.protectedRecord()).isTrue();
        assertThat(failure.getMessage()).isEqualTo("the EHR withheld this patient's record (break-the-glass)");
    }

    @Test
    void actReasonBtgWithoutSuppressedCodeIsOnlyForbidden() {
        FetchFailure failure = classify(403, outcome("error", "forbidden",
                "http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(failure.protectedRecord()).isFalse();
    }

    @Test
    void btgTokenExtensionUnder403IsProtected() {
        String body = """
                {"resourceType":"OperationOutcome",
                 "extension":[{"url":"https://ehr.example.org/fhir/StructureDefinition/fhir-btg-token",
                               "valueString":"abc"}],
                 "issue":[{"severity":"error","code":"forbidden"}]}""";

        FetchFailure failure = classify(403, body);

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.PROTECTED);
        assertThat(failure.protectedRecord()).isTrue();
    }

    @Test
    void btgTokenExtensionNestedInAnIssueIsFound() {
        String body = """
                {"resourceType":"OperationOutcome",
                 "issue":[{"severity":"error","code":"forbidden",
                           "extension":[{"url":"http://x.example/fhir-btg-token","valueString":"t"}]}]}""";

        assertThat(classify(403, body).errorClass()).isEqualTo(ErrorClass.PROTECTED);
    }

    @Test
    void breakTheGlassMarkersUnderAnotherStatusAreNotProtected() {
        FetchFailure failure = classify(401, outcome("error", "suppressed", EPIC, "4130"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.AUTH);
        assertThat(failure.protectedRecord()).isFalse();
    }

    @Test
    void plain403IsForbidden() {
        FetchFailure failure = classify(403, "");

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(failure.protectedRecord()).isFalse();
        assertThat(failure.getMessage()).isEqualTo("the EHR refused access (HTTP 403)");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 500})
    void epic4118IsForbiddenWhateverTheStatus(int status) {
        FetchFailure failure = classify(status, outcome("error", "forbidden", EPIC, "4118"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(failure.getMessage()).isEqualTo("the EHR did not authorize this request (Epic 4118)");
    }

    @ParameterizedTest
    @CsvSource({
            "401, auth", "400, invalid_spec", "422, invalid_spec", "404, not_found", "410, not_found",
            "429, rate_limited", "500, server_error", "502, server_error", "503, server_error", "504, server_error",
            "302, unexpected_response", "405, unexpected_response", "409, unexpected_response"
    })
    void statusesMapToErrorClasses(int status, String errorClass) {
        assertThat(classify(status, "").errorClass().code()).isEqualTo(errorClass);
        assertThat(classify(status, "<html>oops</html>").errorClass().code()).isEqualTo(errorClass);
    }

    @Test
    void epicCodesOfAnErrorAnswerAreNamedInTheMessageButNotItsTexts() {
        String body = """
                {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"value",
                  "details":{"coding":[{"system":"%s","code":"4100","display":"Patient MRN000007 bad"}],
                             "text":"Patient MRN000007 bad"},
                  "diagnostics":"MRN000007"}]}""".formatted(EPIC);

        FetchFailure failure = classify(400, body);

        assertThat(failure.getMessage()).isEqualTo("the EHR rejected the search as invalid (HTTP 400, Epic 4100)");
        assertThat(failure.getMessage()).doesNotContain("MRN");
    }

    @Test
    void searchsetWhoseOnlyEntryIs4101OutcomeIsUsableWithNoWarning() {
        JsonNode page = json(searchset(outcomeEntry("information", "informational", EPIC, "4101")));

        assertThat(OperationOutcomeClassifier.classify(200, page)).isEmpty();
        assertThat(OperationOutcomeClassifier.warnings(page)).isEmpty();
    }

    @Test
    void emptySearchsetIsUsable() {
        assertThat(OperationOutcomeClassifier.classify(200, json("{\"resourceType\":\"Bundle\",\"type\":\"searchset\","
                + "\"total\":0}"))).isEmpty();
    }

    @Test
    void searchsetOfOnlyABreakTheGlassOutcomeIsProtectedEvenWith200() {
        JsonNode page = json(searchset(outcomeEntry("error", "suppressed", EPIC, "4130")));

        assertThat(OperationOutcomeClassifier.classify(200, page)).get()
                .extracting(FetchFailure::errorClass).isEqualTo(ErrorClass.PROTECTED);
    }

    @Test
    void searchsetOfOnlyA4118ErrorOutcomeIsForbiddenEvenWith200() {
        JsonNode page = json(searchset(outcomeEntry("error", "forbidden", EPIC, "4118")));

        assertThat(OperationOutcomeClassifier.classify(200, page)).get()
                .extracting(FetchFailure::errorClass).isEqualTo(ErrorClass.FORBIDDEN);
    }

    @Test
    void searchsetWithResourcesIsUsableWhateverItsOutcomesSay() {
        JsonNode page = json(searchset(observationEntry("o1"), outcomeEntry("error", "suppressed", EPIC, "4130")));

        assertThat(OperationOutcomeClassifier.classify(200, page)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"resourceType\":\"Patient\",\"id\":\"p1\"}",
            "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}"})
    void successWithoutSearchsetIsAnUnexpectedResponse(String body) {
        assertThat(classify(200, body).errorClass()).isEqualTo(ErrorClass.UNEXPECTED_RESPONSE);
    }

    @Test
    void warningsNameEpicCodesInOurOwnWordsAndSkip4101() {
        JsonNode page = json(searchset(observationEntry("o1"),
                outcomeEntry("warning", "processing", EPIC, "4119"),
                outcomeEntry("information", "informational", EPIC, "4101"),
                outcomeEntry("warning", "processing", EPIC, "4122"),
                outcomeEntry("information", "informational", EPIC, "4999")));

        assertThat(OperationOutcomeClassifier.warnings(page)).containsExactly(
                "Epic 4119: more data may exist",
                "Epic 4122: unknown search parameter ignored",
                "Epic 4999 (information)");
    }

    @Test
    void warningsOfOtherServersUseSeverityIssueCodeAndCodingCodesOnly() {
        String page = """
                {"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"outcome"},
                  "resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"processing",
                    "details":{"coding":[{"system":"http://x","code":"MSG_PARAM_UNKNOWN"}],
                               "text":"Unknown parameter for patient MRN000007"},
                    "diagnostics":"MRN000007"}]}}]}""";

        assertThat(OperationOutcomeClassifier.warnings(json(page)))
                .containsExactly("warning: processing (MSG_PARAM_UNKNOWN)");
    }

    @Test
    void outcomeEntriesAreRecognisedBySearchMode() {
        assertThat(OperationOutcomeClassifier.isOutcomeEntry(json(outcomeEntry("information", "x", EPIC, "4101"))))
                .isTrue();
        assertThat(OperationOutcomeClassifier.isOutcomeEntry(json(observationEntry("o1")))).isFalse();
        assertThat(OperationOutcomeClassifier.isOutcomeEntry(json("{\"resource\":{\"resourceType\":\"Observation\"}}")))
                .isFalse();
    }

    @Test
    void plain403WithAnOutcomeButNoBreakTheGlassMarkerIsForbiddenNotProtected() {
        FetchFailure failure = classify(403, outcome("error", "forbidden", "http://ehr.example.org/codes", "denied"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(failure.protectedRecord()).isFalse();
        assertThat(failure.getMessage()).isEqualTo("the EHR refused access (HTTP 403)");
    }

    @Test
    void epic4118Under403IsForbiddenNotProtected() {
        FetchFailure failure = classify(403, outcome("error", "forbidden", EPIC, "4118"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(failure.protectedRecord()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 400, 403, 503})
    void epic4135IsTheDailyLimitWhateverTheStatus(int status) {
        FetchFailure failure = classify(status, outcome("error", "throttled", EPIC, "4135"));

        assertThat(failure.errorClass()).isEqualTo(ErrorClass.DAILY_LIMIT);
        assertThat(failure.errorClass().code()).isEqualTo("daily_limit");
        assertThat(failure.getMessage())
                .isEqualTo("the EHR's daily request limit was reached (Epic 4135); retry tomorrow");
    }

    @Test
    void searchsetOfOnlyA4135ErrorOutcomeIsTheDailyLimitEvenWith200() {
        JsonNode page = json(searchset(outcomeEntry("error", "throttled", EPIC, "4135")));

        assertThat(OperationOutcomeClassifier.classify(200, page)).get()
                .extracting(FetchFailure::errorClass).isEqualTo(ErrorClass.DAILY_LIMIT);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 410, 500})
    void epic4113IsAnExpiredPagingSessionWhateverTheStatus(int status) {
        FetchFailure failure = classify(status, outcome("error", "processing", EPIC, "4113"));

        assertThat(failure).isInstanceOf(PagingSessionExpired.class);
        assertThat(failure.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(failure.getMessage()).isEqualTo("the EHR's paging session expired (Epic 4113)");
    }

    @Test
    void epic4118WinsOver4135And4113InOneAnswer() {
        String body = """
                {"resourceType":"OperationOutcome","issue":[
                  {"severity":"error","code":"processing","details":{"coding":[{"system":"%1$s","code":"4113"}]}},
                  {"severity":"error","code":"throttled","details":{"coding":[{"system":"%1$s","code":"4135"}]}},
                  {"severity":"error","code":"forbidden","details":{"coding":[{"system":"http://x","code":"a"},
                                                                             {"system":"%1$s","code":"4118"}]}}]}"""
                .formatted(EPIC);

        assertThat(classify(429, body).errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
    }

    @Test
    void epicCodeInASecondCodingOfAnIssueIsFound() {
        String body = """
                {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"throttled",
                  "details":{"coding":[{"system":"http://x","code":"a"},{"system":"%s","code":"4135"}]}}]}"""
                .formatted(EPIC);

        assertThat(classify(429, body).errorClass()).isEqualTo(ErrorClass.DAILY_LIMIT);
    }

    @Test
    void epicCodesUnderAnotherSystemAreNotEpics() {
        assertThat(classify(429, outcome("error", "throttled", "http://other.example/codes", "4135")).errorClass())
                .isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(classify(403, outcome("error", "forbidden", "http://other.example/codes", "4118")).errorClass())
                .isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(classify(400, outcome("error", "processing", "http://other.example/codes", "4113")))
                .isNotInstanceOf(PagingSessionExpired.class);
    }

    @ParameterizedTest
    @CsvSource({"4119, Epic 4119: more data may exist", "4122, Epic 4122: unknown search parameter ignored"})
    void epicWarningsLeaveAPageUsableAndAreKept(String code, String warning) {
        JsonNode withMatches = json(searchset(observationEntry("o1"), outcomeEntry("warning", "processing", EPIC,
                code)));
        JsonNode withoutMatches = json(searchset(outcomeEntry("information", "informational", EPIC, "4101"),
                outcomeEntry("warning", "processing", EPIC, code)));

        assertThat(OperationOutcomeClassifier.classify(200, withMatches)).isEmpty();
        assertThat(OperationOutcomeClassifier.classify(200, withoutMatches)).isEmpty();
        assertThat(OperationOutcomeClassifier.warnings(withMatches)).containsExactly(warning);
        assertThat(OperationOutcomeClassifier.warnings(withoutMatches)).containsExactly(warning);
    }

    @Test
    void throttledOutcomeWithout4135IsRateLimited() {
        assertThat(classify(429, outcome("error", "throttled", "http://x", "slow")).errorClass())
                .isEqualTo(ErrorClass.RATE_LIMITED);
    }

    private static FetchFailure classify(int status, String body) {
        Optional<JsonNode> parsed = FhirJson.parse(body.getBytes(StandardCharsets.UTF_8));
        return OperationOutcomeClassifier.classify(status, parsed.orElse(null)).orElseThrow();
    }

    static JsonNode json(String text) {
        return FhirJson.parse(text.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }

    static String outcome(String severity, String code, String system, String detailCode) {
        return """
                {"resourceType":"OperationOutcome","issue":[{"severity":"%s","code":"%s",
                 "details":{"coding":[{"system":"%s","code":"%s"}]}}]}""".formatted(severity, code, system,
                detailCode);
    }

    static String outcomeEntry(String severity, String code, String system, String detailCode) {
        return "{\"search\":{\"mode\":\"outcome\"},\"resource\":" + outcome(severity, code, system, detailCode) + "}";
    }

    static String observationEntry(String id) {
        return "{\"fullUrl\":\"http://ehr/fhir/Observation/" + id + "\",\"resource\":{\"resourceType\":\"Observation\","
                + "\"id\":\"" + id + "\",\"valueQuantity\":{\"value\":1.50}},\"search\":{\"mode\":\"match\"}}";
    }

    static String searchset(String... entries) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + String.join(",", entries) + "]}";
    }
}
