package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotSharesTest {

    private static final Instant EARLIER = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2026-01-01T10:00:05Z");

    @Test
    void aHolderAloneGetsWhatItWantsUpToTheLimit() {
        assertThat(SlotShares.grant("a", 3, 0, null, 4, List.of())).isEqualTo(3);
        assertThat(SlotShares.grant("a", 9, 0, null, 4, List.of())).isEqualTo(4);
        assertThat(SlotShares.grant("a", 0, 0, null, 4, List.of())).isZero();
    }

    @Test
    void nothingIsGrantedThatOthersOccupy() {
        // b holds all four; a's fair share is 2, but none is free until b gives back.
        assertThat(SlotShares.grant("a", 4, 0, null, 4, List.of(lease("b", 4, 0, 4, EARLIER)))).isZero();
        // b's grant shrank to 2 but it still has 3 requests in flight: only 1 is free.
        assertThat(SlotShares.grant("a", 4, 0, null, 4, List.of(lease("b", 2, 3, 4, EARLIER)))).isEqualTo(1);
    }

    @Test
    void aHolderThatWantsLittleLeavesTheRestToTheOthers() {
        // c wants 1 of 6: a and b share the other 5, rather than 2 each with one slot idle.
        List<SlotLease> others = List.of(lease("c", 1, 1, 1, EARLIER), lease("b", 2, 2, 9, EARLIER));
        assertThat(SlotShares.grant("a", 9, 0, null, 6, others)).isEqualTo(3);
    }

    @Test
    void threeHoldersShareFourSlotsWithoutStarvingAnyone() {
        assertThat(busyRounds(List.of("a", "b", "c"), 4, 6).values())
                .allMatch(granted -> granted >= 1)
                .satisfies(grants -> assertThat(grants.stream().mapToInt(Integer::intValue).sum()).isEqualTo(4));
    }

    @Test
    void withMoreHoldersThanSlotsTheSlotsGoRound() {
        // 3 busy holders, 1 slot: over a few rounds each holds it at some point.
        Map<String, Integer> everHeld = new HashMap<>();
        Map<String, SlotLease> leases = new HashMap<>();
        long clock = 0;
        for (int round = 0; round < 6; round++) {
            for (String holder : List.of("a", "b", "c")) {
                clock += 1000;
                int granted = renewBusy(leases, holder, 1, Instant.ofEpochMilli(clock));
                everHeld.merge(holder, granted, Math::max);
            }
        }
        assertThat(everHeld).containsEntry("a", 1).containsEntry("b", 1).containsEntry("c", 1);
    }

    @Test
    void theUnevenSlotGoesToTheHolderOccupyingFewestThenServedLongestAgo() {
        // 3 slots, two busy holders: b occupies 2, so the third slot's share goes to a.
        assertThat(SlotShares.grant("a", 5, 0, null, 3, List.of(lease("b", 2, 2, 5, LATER)))).isEqualTo(1);
        assertThat(SlotShares.grant("b", 5, 2, LATER, 3, List.of(lease("a", 1, 1, 5, LATER)))).isEqualTo(1);
        // Both occupy 1: a was served longer ago.
        assertThat(SlotShares.grant("a", 5, 1, EARLIER, 3, List.of(lease("b", 1, 1, 5, LATER)))).isEqualTo(2);
        assertThat(SlotShares.grant("b", 5, 1, LATER, 3, List.of(lease("a", 1, 1, 5, EARLIER)))).isEqualTo(1);
    }

    /** Rounds of renewals by busy holders (everything granted in use); returns the last grants. */
    private static Map<String, Integer> busyRounds(List<String> holders, int max, int rounds) {
        Map<String, SlotLease> leases = new HashMap<>();
        long clock = 0;
        for (int round = 0; round < rounds; round++) {
            for (String holder : holders) {
                clock += 1000;
                renewBusy(leases, holder, max, Instant.ofEpochMilli(clock));
            }
        }
        Map<String, Integer> grants = new HashMap<>();
        leases.forEach((holder, lease) -> grants.put(holder, lease.granted()));
        return grants;
    }

    /**
     * One renewal of a busy holder (wants 10, all it was granted in use), stored as the server would; its requests
     * above the new grant end before its next renewal. Checks that the holders never occupy more than the limit.
     */
    private static int renewBusy(Map<String, SlotLease> leases, String holder, int max, Instant now) {
        List<SlotLease> others = new ArrayList<>(leases.values());
        others.removeIf(lease -> lease.holder().equals(holder));
        SlotLease previous = leases.get(holder);
        int inUse = previous == null ? 0 : previous.inUse();
        Instant servedAt = previous == null ? null : previous.servedAt();
        int granted = SlotShares.grant(holder, 10, inUse, servedAt, max, others);
        leases.put(holder, lease(holder, granted, inUse, 10, granted > 0 ? now : servedAt));
        assertThat(leases.values().stream().mapToInt(SlotLease::occupied).sum()).isLessThanOrEqualTo(max);
        // Until the next renewal: surplus requests end, and the grant is used in full.
        leases.put(holder, lease(holder, granted, granted, 10, granted > 0 ? now : servedAt));
        return granted;
    }

    private static SlotLease lease(String holder, int granted, int inUse, int wanted, Instant servedAt) {
        return new SlotLease(holder, granted, inUse, wanted, servedAt);
    }
}
