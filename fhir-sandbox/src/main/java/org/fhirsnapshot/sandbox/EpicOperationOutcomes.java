package org.fhirsnapshot.sandbox;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** The OperationOutcomes that Epic answers with, as the sandbox reproduces them. */
final class EpicOperationOutcomes {

    /** Epic's system of OperationOutcome detail codes. */
    static final String EPIC_OUTCOME_SYSTEM = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369";
    static final String NO_RESULTS_CODE = "4101";
    static final String NO_RESULTS_TEXT = "Resource request returns no results.";
    static final String BREAK_THE_GLASS_CODE = "4130";
    static final String BREAK_THE_GLASS_TEXT = "Break-the-Glass security does not authorize you "
            + "to access the selected patient's chart";
    static final String ACT_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    static final String BREAK_THE_GLASS_REASON = "BTG";

    static final String PAGING_EXPIRED_CODE = "4113";
    static final String NOT_AUTHORIZED_CODE = "4118";
    static final String MORE_DATA_CODE = "4119";
    static final String UNKNOWN_PARAMETER_CODE = "4122";
    static final String DAILY_LIMIT_CODE = "4135";

    private EpicOperationOutcomes() {
    }

    /** A one-issue Epic outcome with {@code code} under Epic's system. */
    static OperationOutcome epic(IssueSeverity severity, IssueType type, String code) {
        String text = switch (code) {
            case PAGING_EXPIRED_CODE -> "The paging session has expired. Run the search again.";
            case NOT_AUTHORIZED_CODE -> "User is not authorized for this request.";
            case MORE_DATA_CODE -> "Some results may not be returned. More data may exist.";
            case UNKNOWN_PARAMETER_CODE -> "A search parameter was not recognized and was ignored.";
            case DAILY_LIMIT_CODE -> "The daily request limit of this client has been reached.";
            default -> "Epic outcome " + code;
        };
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(severity)
                .setCode(type)
                .setDetails(new CodeableConcept(new Coding(EPIC_OUTCOME_SYSTEM, code, text)).setText(text));
        return outcome;
    }

    /** A transient failure's outcome (throttling, server trouble), without Epic codes. */
    static OperationOutcome transientFailure(IssueType type, String text) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(text);
        return outcome;
    }

    /** The informational outcome that Epic puts in a searchset whose page has no match (4101). */
    static OperationOutcome noResults() {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(IssueSeverity.INFORMATION)
                .setCode(IssueType.INFORMATIONAL)
                .setDetails(new CodeableConcept(new Coding(EPIC_OUTCOME_SYSTEM, NO_RESULTS_CODE, NO_RESULTS_TEXT))
                        .setText(NO_RESULTS_TEXT));
        return outcome;
    }

    /** The error outcome of a search into a restricted (break-the-glass) patient's chart (4130, HL7 BTG). */
    static OperationOutcome breakTheGlassRequired() {
        OperationOutcome outcome = new OperationOutcome();
        CodeableConcept details = new CodeableConcept()
                .addCoding(new Coding(EPIC_OUTCOME_SYSTEM, BREAK_THE_GLASS_CODE, BREAK_THE_GLASS_TEXT))
                .addCoding(new Coding(ACT_REASON_SYSTEM, BREAK_THE_GLASS_REASON, "break the glass"))
                .setText(BREAK_THE_GLASS_TEXT);
        outcome.addIssue()
                .setSeverity(IssueSeverity.ERROR)
                .setCode(IssueType.SUPPRESSED)
                .setDetails(details);
        return outcome;
    }
}
