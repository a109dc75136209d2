package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.junit.jupiter.api.Test;

/** What a stopping worker gives back, and when (issue 8: graceful shutdown). */
class HeldClaimsTest {

    private static ClaimedInstance claim(long id) {
        return new ClaimedInstance(id, "token-" + id, "p", 1, id, "mrn", null, "Patient", "Patient", 1);
    }

    @Test
    void stoppingTakesAwayOnlyTheClaimsWhoseFetchHasNotStartedAndTheyNeverStart() {
        HeldClaims held = new HeldClaims();
        assertThat(held.claimCallStarts()).isTrue();
        assertThat(held.claimCallEnded(List.of(claim(1), claim(2), claim(3)))).isTrue();
        assertThat(held.start(1)).isTrue();

        List<ClaimedInstance> waiting = held.stop();

        assertThat(waiting).extracting(ClaimedInstance::instanceId).containsExactly(2L, 3L);
        assertThat(held.start(2)).as("a claim given back never starts").isFalse();
        assertThat(held.size()).isEqualTo(1);
        assertThat(held.stopping()).isTrue();
    }

    @Test
    void aStoppedWorkerTakesNoNewBatchAndGivesBackWhatAClaimCallUnderWayBrings() {
        HeldClaims held = new HeldClaims();
        assertThat(held.claimCallStarts()).isTrue();
        held.stop();

        assertThat(held.claimCallStarts()).as("no claim once stopping").isFalse();
        assertThat(held.claimCallEnded(List.of(claim(7)))).as("claims arriving after the stop are not held")
                .isFalse();
        assertThat(held.size()).isZero();
    }

    @Test
    void theDrainEndsWhenTheRunningFetchesFinishOrWhenItsTimeRunsOut() throws Exception {
        HeldClaims held = new HeldClaims();
        held.claimCallStarts();
        held.claimCallEnded(List.of(claim(1), claim(2)));
        held.start(1);
        held.start(2);
        held.stop();

        assertThat(held.awaitIdle(Duration.ofMillis(50))).as("two fetches still running").isFalse();
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return held.awaitIdle(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        held.finished(1);
        assertThat(held.takeAll()).extracting(ClaimedInstance::instanceId).containsExactly(2L);
        assertThat(drained.get()).isTrue();
        assertThat(held.finishedWhileStopping()).isEqualTo(1);
    }
}
