package org.fhirsnapshot.config;

import java.time.Instant;

/**
 * One worker replica's live lease of request slots toward a FHIR system.
 *
 * @param holder the worker replica's id
 * @param granted the slots last granted to it
 * @param inUse the requests it had in flight when it last asked
 * @param wanted the slots it last wanted (0 = none)
 * @param servedAt when it was last granted at least one slot; null if never
 */
public record SlotLease(String holder, int granted, int inUse, int wanted, Instant servedAt) {

    /**
     * The slots this holder occupies: its grant, or more while requests started under a larger grant are still in
     * flight (they end on their own; nobody else may have those slots until the holder says they ended).
     */
    public int occupied() {
        return Math.max(granted, inUse);
    }
}
