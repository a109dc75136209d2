package org.fhirsnapshot.fetch;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;

/**
 * The claims this worker holds, from the claim until their result is on Kafka, and whether the worker is stopping
 * (issue 8: graceful shutdown). A held claim is waiting (for a concurrency permit) or running (its fetch started).
 * When the worker stops ({@link #stop()}), the waiting claims are taken away at once to be given back to
 * mrn-service and never start; running ones may finish until the drain time ends; whatever is still held then is
 * given back too ({@link #takeAll()}). Every method is synchronized: a claim starts or is taken away, never both.
 */
@ApplicationScoped
public class HeldClaims {

    private final Map<Long, Held> held = new LinkedHashMap<>();
    private boolean stopping;
    private int claimCalls;
    private int finishedWhileStopping;

    private static final class Held {

        final ClaimedInstance claim;
        boolean running;

        Held(ClaimedInstance claim) {
            this.claim = claim;
        }
    }

    /** Whether the worker is stopping: it takes no new batch. */
    public synchronized boolean stopping() {
        return stopping;
    }

    /** A claim call to mrn-service begins; false (and nothing counted) when the worker is stopping. */
    public synchronized boolean claimCallStarts() {
        if (stopping) {
            return false;
        }
        claimCalls++;
        return true;
    }

    /**
     * The claim call ended with {@code claims}: they are held, unless the worker began to stop meanwhile; then
     * nothing is held and the caller gives them back at once.
     *
     * @return whether the claims are held
     */
    public synchronized boolean claimCallEnded(List<ClaimedInstance> claims) {
        claimCalls--;
        notifyAll();
        if (stopping) {
            return false;
        }
        claims.forEach(claim -> held.put(claim.instanceId(), new Held(claim)));
        return true;
    }

    /** The claim call failed for good: nothing to hold. */
    public synchronized void claimCallFailed() {
        claimCalls--;
        notifyAll();
    }

    /** Whether the fetch of a held claim may start now; false when it was taken away to be given back. */
    public synchronized boolean start(long instanceId) {
        Held claim = held.get(instanceId);
        if (claim == null) {
            return false;
        }
        claim.running = true;
        return true;
    }

    /** The claim's result is on Kafka (or the claim was given back): it is no longer held. */
    public synchronized void finished(long instanceId) {
        if (held.remove(instanceId) != null && stopping) {
            finishedWhileStopping++;
        }
        notifyAll();
    }

    /** The batch of these claims failed (a bug; it goes to the dead-letter topic): they are no longer held. */
    public synchronized void forget(List<ClaimedInstance> claims) {
        claims.forEach(claim -> held.remove(claim.instanceId()));
        notifyAll();
    }

    /** Stops taking work and takes away the claims whose fetch has not started (to be given back). */
    public synchronized List<ClaimedInstance> stop() {
        stopping = true;
        List<ClaimedInstance> waiting = new ArrayList<>();
        held.values().removeIf(claim -> {
            if (!claim.running) {
                waiting.add(claim.claim);
                return true;
            }
            return false;
        });
        notifyAll();
        return waiting;
    }

    /**
     * Waits until no fetch runs and no claim call is under way, at most {@code drain}.
     *
     * @return whether everything finished in time
     */
    public synchronized boolean awaitIdle(Duration drain) throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        while (!held.isEmpty() || claimCalls > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Takes away every claim still held (to be given back); their fetches' results, if any, will be ignored. */
    public synchronized List<ClaimedInstance> takeAll() {
        List<ClaimedInstance> all = held.values().stream().map(claim -> claim.claim).toList();
        held.clear();
        notifyAll();
        return all;
    }

    /** Claims held now (waiting or running). */
    public synchronized int size() {
        return held.size();
    }

    /** Fetches whose result was published after the worker began to stop. */
    public synchronized int finishedWhileStopping() {
        return finishedWhileStopping;
    }
}
