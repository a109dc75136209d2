package org.fhirsnapshot.mrn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fhirsnapshot.contracts.internal.ReconcileReport;

/**
 * What a reconcile changed: the answer of {@code POST /internal/projects/{key}/reconcile}. Its first four fields are
 * those of the contract's {@link ReconcileReport} (a client reading that record ignores the others when its
 * ObjectMapper does not fail on unknown properties, the Quarkus default); {@code reused} and {@code byMapping} are
 * mrn-service's additions.
 *
 * @param created new pending instances (to be fetched); reused ones are not counted here
 * @param outdated instances of an older mapping revision marked outdated
 * @param deleted instances whose mapping or MRN is gone, marked deleted
 * @param requeued instances whose claim had expired, put back to pending
 * @param reused instances made completed without a fetch: deleted ones of a re-added MRN restored, and new ones of a
 *        mapping identical to a current one (same query) that took the payload of the same MRN's completed instance
 * @param byMapping the same counts per mapping that something happened to, by mapping id (requeued is not split)
 */
public record ReconcileResult(int created, int outdated, int deleted, int requeued, int reused,
        List<MappingReport> byMapping) {

    /** What a reconcile changed for one mapping. */
    public record MappingReport(long mappingId, int created, int outdated, int deleted, int reused) {
    }

    /** Builds the result from per-mapping counts of each statement. */
    static ReconcileResult of(Map<Long, Integer> created, Map<Long, Integer> outdated, Map<Long, Integer> deleted,
            Map<Long, Integer> reused, int requeued) {
        TreeSet<Long> mappingIds = new TreeSet<>();
        mappingIds.addAll(created.keySet());
        mappingIds.addAll(outdated.keySet());
        mappingIds.addAll(deleted.keySet());
        mappingIds.addAll(reused.keySet());
        List<MappingReport> byMapping = new ArrayList<>(mappingIds.size());
        for (long id : mappingIds) {
            byMapping.add(new MappingReport(id, created.getOrDefault(id, 0), outdated.getOrDefault(id, 0),
                    deleted.getOrDefault(id, 0), reused.getOrDefault(id, 0)));
        }
        return new ReconcileResult(sum(created), sum(outdated), sum(deleted), requeued, sum(reused),
                List.copyOf(byMapping));
    }

    /** The contract's view (without reused and byMapping). */
    public ReconcileReport toReport() {
        return new ReconcileReport(created, outdated, deleted, requeued);
    }

    private static int sum(Map<Long, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
