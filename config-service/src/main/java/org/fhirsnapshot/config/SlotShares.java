package org.fhirsnapshot.config;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How many request slots one holder gets out of a FHIR system's maximum of concurrent requests, given the other
 * holders' live leases. Two rules:
 * <ul>
 * <li><b>Never over the limit</b>: a grant is at most the maximum minus what the others occupy now (their grant, or
 * their in-flight requests when these are more), so the holders together never exceed it, whatever the order of
 * calls.</li>
 * <li><b>Fair shares</b> (max-min fairness): the maximum is shared out among the holders that want slots; a holder
 * that wants less than an equal part leaves the rest to the others. Slots that do not divide evenly go to the holders
 * occupying fewest now, then to those served longest ago (never served first), then by holder id. So with 3 holders
 * and 4 slots everyone gets at least 1 (an equal part rounded up would let two holders take 2 each and starve the
 * third), and with more holders than slots the slots go round: the holder with none is first in line, and a holder
 * that gave its slot back goes behind those that waited longer.</li>
 * </ul>
 * A holder above its share keeps it until its next renewal, which gives the surplus back; the others get it on their
 * next call once the surplus requests have ended.
 */
public final class SlotShares {

    private SlotShares() {
    }

    /**
     * @param holder the caller
     * @param wanted the slots it wants now, at least 0
     * @param inUse its requests in flight now
     * @param maxConcurrency the system's maximum of concurrent requests, at least 1
     * @param servedAt when the caller was last granted a slot (from its lease); null if never
     * @param others the other holders' live leases (not the caller's)
     * @return the caller's grant, 0..wanted
     */
    public static int grant(String holder, int wanted, int inUse, Instant servedAt, int maxConcurrency,
            List<SlotLease> others) {
        if (wanted <= 0) {
            return 0;
        }
        int occupiedByOthers = others.stream().mapToInt(SlotLease::occupied).sum();
        int free = Math.max(0, maxConcurrency - occupiedByOthers);
        List<SlotLease> contenders = new ArrayList<>();
        others.stream().filter(lease -> lease.wanted() > 0).forEach(contenders::add);
        SlotLease caller = new SlotLease(holder, 0, inUse, wanted, servedAt);
        contenders.add(caller);
        return Math.min(Math.min(wanted, free), share(caller, contenders, maxConcurrency));
    }

    /** The caller's max-min fair share of {@code maxConcurrency} among the contenders (caller included). */
    static int share(SlotLease caller, List<SlotLease> contenders, int maxConcurrency) {
        List<SlotLease> byWanted = new ArrayList<>(contenders);
        byWanted.sort(Comparator.comparingInt(SlotLease::wanted).thenComparing(SlotLease::holder));
        int remaining = maxConcurrency;
        for (int i = 0; i < byWanted.size(); i++) {
            int left = byWanted.size() - i;
            int level = remaining / left;
            SlotLease next = byWanted.get(i);
            if (next.wanted() <= level) {
                // Satisfied in full; what it leaves goes to the rest.
                remaining -= next.wanted();
                if (next == caller) {
                    return next.wanted();
                }
                continue;
            }
            // Everyone from here on wants more than an equal part of what remains: each gets that part, and the
            // remainder goes one slot each to those occupying fewest now, then served longest ago.
            List<SlotLease> rest = new ArrayList<>(byWanted.subList(i, byWanted.size()));
            rest.sort(Comparator.comparingInt(SlotLease::occupied)
                    .thenComparing(SlotLease::servedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(SlotLease::holder));
            int extra = remaining - level * left;
            int position = indexOf(rest, caller);
            return level + (position < extra ? 1 : 0);
        }
        throw new IllegalArgumentException("the caller must be one of the contenders");
    }

    private static int indexOf(List<SlotLease> leases, SlotLease wanted) {
        for (int i = 0; i < leases.size(); i++) {
            if (leases.get(i) == wanted) {
                return i;
            }
        }
        return -1;
    }
}
