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

    private EpicOperationOutcomes() {
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
