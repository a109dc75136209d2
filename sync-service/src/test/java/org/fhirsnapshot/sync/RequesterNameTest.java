package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the requester's name from the token appears in a requested task's log line. */
class RequesterNameTest {

    @Test
    void theNameFollowsBy() {
        assertThat(TaskService.by("alice")).isEqualTo(" by alice");
    }

    @Test
    void controlCharactersCannotForgeFurtherLogLines() {
        assertThat(TaskService.by("alice\nopened: full-sync requested by root\u0000")).isEqualTo(
                " by aliceopened: full-sync requested by root");
    }

    @Test
    void aLongNameIsCutAtOneHundredCharacters() {
        assertThat(TaskService.by("n".repeat(500))).isEqualTo(" by " + "n".repeat(100));
    }

    @Test
    void noNameAddsNothing() {
        assertThat(TaskService.by(null)).isEmpty();
        assertThat(TaskService.by(" \t ")).isEmpty();
    }
}
