package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tells what an EHR's answer means: pure functions from (HTTP status, parsed body) to a {@link FetchFailure}, and
 * the warnings of a searchset page. Knows Epic's OperationOutcome codes (system ending {@code .7.2.657369}) and the
 * HL7 forms of break-the-glass. Whatever the status: Epic 4118 is {@code forbidden}, 4135 {@code daily_limit}, 4113
 * a {@link PagingSessionExpired} ({@code server_error}, the search may be run again once); under 403 the
 * break-the-glass markers are {@code protected}, and a 403 without one is {@code forbidden}. 4119 and 4122 in
 * outcome entries of a usable page are warnings ({@link #warnings(JsonNode)}). The texts it writes never quote the EHR's own texts (they may hold PHI): only codes
 * and descriptions of our own.
 */
public final class OperationOutcomeClassifier {

    /** Epic's OperationOutcome detail code systems end with this (the prefix is the organisation's OID). */
    public static final String EPIC_SYSTEM_SUFFIX = ".7.2.657369";
    public static final String ACT_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public static final String BTG_TOKEN_EXTENSION_SUFFIX = "fhir-btg-token";

    static final String NO_RESULTS = "4101";
    static final String NOT_AUTHORIZED = "4118";
    static final String PAGING_EXPIRED = "4113";
    static final String DAILY_LIMIT = "4135";
    static final Set<String> BREAK_THE_GLASS = Set.of("4130", "4131", "4134");

    /** Our own words for the Epic codes we know; an unknown code is reported by number only. */
    private static final Map<String, String> EPIC_DESCRIPTIONS = Map.of(
            NO_RESULTS, "no results",
            PAGING_EXPIRED, "paging session expired",
            NOT_AUTHORIZED, "not authorized",
            "4119", "more data may exist",
            "4122", "unknown search parameter ignored",
            "4130", "break-the-glass required",
            "4131", "break-the-glass required",
            "4134", "break-the-glass required",
            DAILY_LIMIT, "daily request limit reached");

    private OperationOutcomeClassifier() {
    }

    /**
     * What an answer to a search means. Empty when it can be used: a 2xx searchset Bundle that does not consist of
     * blocking outcomes only (a page whose only entry is Epic's 4101 "no results" outcome is usable: zero resources).
     *
     * @param status the HTTP status
     * @param body the parsed body, or null when it was empty or not JSON
     */
    public static Optional<FetchFailure> classify(int status, JsonNode body) {
        if (status >= 200 && status < 300) {
            return classifySuccess(body);
        }
        List<JsonNode> issues = issues(body);
        if (status == 403) {
            Optional<String> breakTheGlass = breakTheGlass(body, issues);
            if (breakTheGlass.isPresent()) {
                return Optional.of(protectedRecord(breakTheGlass.get()));
            }
        }
        Optional<FetchFailure> epic = epicFailure(issues);
        if (epic.isPresent()) {
            return epic;
        }
        String codes = epicCodesSuffix(issues);
        return Optional.of(switch (status) {
            case 401 -> new FetchFailure(ErrorClass.AUTH, "the EHR refused the credentials (HTTP 401" + codes + ")");
            case 403 -> new FetchFailure(ErrorClass.FORBIDDEN, "the EHR refused access (HTTP 403" + codes + ")");
            case 400, 422 -> new FetchFailure(ErrorClass.INVALID_SPEC,
                    "the EHR rejected the search as invalid (HTTP " + status + codes + ")");
            case 404, 410 -> new FetchFailure(ErrorClass.NOT_FOUND,
                    "the EHR found nothing at the search's address (HTTP " + status + codes + ")");
            case 429 -> new FetchFailure(ErrorClass.RATE_LIMITED,
                    "the EHR kept answering 429 Too Many Requests" + (codes.isEmpty()
                            ? ""
                            : " (" + codes.substring(2)
                                    + ")"));
            default -> status >= 500
                    ? new FetchFailure(ErrorClass.SERVER_ERROR, "the EHR failed with HTTP " + status + codes)
                    : new FetchFailure(ErrorClass.UNEXPECTED_RESPONSE,
                            "the EHR answered HTTP " + status + ", which a FHIR search does not expect");
        });
    }

    private static Optional<FetchFailure> classifySuccess(JsonNode body) {
        if (body == null || !"Bundle".equals(body.path("resourceType").asText())
                || !"searchset".equals(body.path("type").asText())) {
            return Optional.of(new FetchFailure(ErrorClass.UNEXPECTED_RESPONSE,
                    "the EHR answered without a searchset Bundle"));
        }
        List<JsonNode> entries = entries(body);
        if (entries.stream().anyMatch(entry -> !isOutcomeEntry(entry))) {
            return Optional.empty();
        }
        // Only outcome entries (or none): an Epic page may say "withheld" or "not authorized" with status 200.
        List<JsonNode> blocking = issues(body).stream().filter(OperationOutcomeClassifier::isErrorSeverity).toList();
        Optional<String> breakTheGlass = breakTheGlass(body, blocking);
        if (breakTheGlass.isPresent()) {
            return Optional.of(protectedRecord(breakTheGlass.get()));
        }
        return epicFailure(blocking);
    }

    /** The Epic codes that decide a failure whatever the status: 4118, 4135, 4113 (in that order). */
    private static Optional<FetchFailure> epicFailure(List<JsonNode> issues) {
        if (hasEpicCode(issues, NOT_AUTHORIZED)) {
            return Optional.of(new FetchFailure(ErrorClass.FORBIDDEN,
                    "the EHR did not authorize this request (Epic 4118)"));
        }
        if (hasEpicCode(issues, DAILY_LIMIT)) {
            return Optional.of(new FetchFailure(ErrorClass.DAILY_LIMIT,
                    "the EHR's daily request limit was reached (Epic 4135); retry tomorrow"));
        }
        if (hasEpicCode(issues, PAGING_EXPIRED)) {
            return Optional.of(new PagingSessionExpired("the EHR's paging session expired (Epic 4113)"));
        }
        return Optional.empty();
    }

    private static FetchFailure protectedRecord(String epicCode) {
        String how = epicCode.isEmpty() ? "break-the-glass" : "break-the-glass, Epic " + epicCode;
        return new FetchFailure(ErrorClass.PROTECTED, "the EHR withheld this patient's record (" + how + ")", true);
    }

    /**
     * The break-the-glass marker of an answer: the Epic code (4130, 4131, 4134), an empty string for the HL7 forms
     * ({@code suppressed} with {@code v3-ActReason#BTG}, an extension ending {@code fhir-btg-token}), or empty.
     */
    static Optional<String> breakTheGlass(JsonNode body, List<JsonNode> issues) {
        for (JsonNode issue : issues) {
            for (JsonNode coding : codings(issue)) {
                if (isEpic(coding) && BREAK_THE_GLASS.contains(coding.path("code").asText())) {
                    return Optional.of(coding.path("code").asText());
                }
            }
        }
        for (JsonNode issue : issues) {
            if ("suppressed".equals(issue.path("code").asText()) && codings(issue).stream()
                    .anyMatch(coding -> ACT_REASON_SYSTEM.equals(coding.path("system").asText())
                            && "BTG".equals(coding.path("code").asText()))) {
                return Optional.of("");
            }
        }
        if (body != null && hasBreakTheGlassExtension(body)) {
            return Optional.of("");
        }
        return Optional.empty();
    }

    private static boolean hasBreakTheGlassExtension(JsonNode node) {
        if (node.isObject()) {
            JsonNode url = node.get("url");
            if (url != null && url.isTextual() && url.asText().endsWith(BTG_TOKEN_EXTENSION_SUFFIX)) {
                return true;
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasBreakTheGlassExtension(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The warnings of a searchset page: one line per issue of its outcome entries, except Epic's 4101 "no
     * results", written from codes (for example {@code Epic 4119: more data may exist}), never from the EHR's
     * texts.
     */
    public static List<String> warnings(JsonNode page) {
        Set<String> warnings = new LinkedHashSet<>();
        for (JsonNode entry : entries(page)) {
            if (isOutcomeEntry(entry)) {
                for (JsonNode issue : issuesOf(entry.path("resource"))) {
                    warnings.addAll(describe(issue));
                }
            }
        }
        return List.copyOf(warnings);
    }

    private static List<String> describe(JsonNode issue) {
        String severity = issue.path("severity").asText("information");
        List<String> lines = new ArrayList<>();
        List<JsonNode> epicCodings = codings(issue).stream().filter(OperationOutcomeClassifier::isEpic).toList();
        if (!epicCodings.isEmpty()) {
            for (JsonNode coding : epicCodings) {
                String code = coding.path("code").asText();
                if (!NO_RESULTS.equals(code)) {
                    String description = EPIC_DESCRIPTIONS.get(code);
                    lines.add(description != null
                            ? "Epic " + code + ": " + description
                            : "Epic " + code + " (" + severity + ")");
                }
            }
            return lines;
        }
        List<String> codes = codings(issue).stream().map(coding -> coding.path("code").asText())
                .filter(code -> !code.isEmpty()).toList();
        String line = severity + ": " + issue.path("code").asText("unknown");
        lines.add(codes.isEmpty() ? line : line + " (" + String.join(", ", codes) + ")");
        return lines;
    }

    /** Whether a searchset entry is an OperationOutcome entry ({@code search.mode = outcome}), never counted. */
    public static boolean isOutcomeEntry(JsonNode entry) {
        return "outcome".equals(entry.path("search").path("mode").asText());
    }

    /** The entries of a Bundle, in order; empty when it has none. */
    public static List<JsonNode> entries(JsonNode bundle) {
        if (bundle == null) {
            return List.of();
        }
        JsonNode entries = bundle.path("entry");
        if (!entries.isArray()) {
            return List.of();
        }
        List<JsonNode> list = new ArrayList<>(entries.size());
        entries.forEach(list::add);
        return list;
    }

    /**
     * The issues an answer carries: those of an OperationOutcome body, or of the OperationOutcome entries of a
     * Bundle body.
     */
    static List<JsonNode> issues(JsonNode body) {
        if (body == null) {
            return List.of();
        }
        String type = body.path("resourceType").asText();
        if ("OperationOutcome".equals(type)) {
            return issuesOf(body);
        }
        if ("Bundle".equals(type)) {
            return entries(body).stream().map(entry -> entry.path("resource"))
                    .filter(resource -> "OperationOutcome".equals(resource.path("resourceType").asText()))
                    .flatMap(outcome -> issuesOf(outcome).stream()).toList();
        }
        return List.of();
    }

    private static List<JsonNode> issuesOf(JsonNode outcome) {
        JsonNode issues = outcome.path("issue");
        if (!issues.isArray()) {
            return List.of();
        }
        List<JsonNode> list = new ArrayList<>();
        issues.forEach(list::add);
        return list;
    }

    private static List<JsonNode> codings(JsonNode issue) {
        JsonNode codings = issue.path("details").path("coding");
        if (!codings.isArray()) {
            return List.of();
        }
        List<JsonNode> list = new ArrayList<>();
        codings.forEach(list::add);
        return list;
    }

    private static boolean isEpic(JsonNode coding) {
        return coding.path("system").asText().endsWith(EPIC_SYSTEM_SUFFIX);
    }

    private static boolean isErrorSeverity(JsonNode issue) {
        String severity = issue.path("severity").asText();
        return "error".equals(severity) || "fatal".equals(severity);
    }

    private static boolean hasEpicCode(List<JsonNode> issues, String code) {
        return issues.stream().flatMap(issue -> codings(issue).stream())
                .anyMatch(coding -> isEpic(coding) && code.equals(coding.path("code").asText()));
    }

    /** {@code ", Epic 4100"} for the Epic codes of the issues, or an empty string. */
    private static String epicCodesSuffix(List<JsonNode> issues) {
        List<String> codes = issues.stream().flatMap(issue -> codings(issue).stream())
                .filter(OperationOutcomeClassifier::isEpic).map(coding -> coding.path("code").asText())
                .filter(code -> !code.isEmpty()).distinct().toList();
        return codes.isEmpty() ? "" : ", Epic " + String.join(", ", codes);
    }
}
