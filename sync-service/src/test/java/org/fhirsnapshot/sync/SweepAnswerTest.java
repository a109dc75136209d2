package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.fhirsnapshot.sync.client.SweepAnswer;
import org.fhirsnapshot.sync.client.SweepAnswer.ProjectSweep;
import org.junit.jupiter.api.Test;

class SweepAnswerTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void sweepAnswerIsReadWithFieldsThisVersionDoesNotKnow() throws Exception {
        SweepAnswer answer = mapper.readValue("""
                {"projects": [{"projectKey": "p1", "leasesExpired": 2, "republished": 0, "retried": 5}],
                 "elapsedMillis": 12}""", SweepAnswer.class);

        assertThat(answer.changed()).containsExactly(new ProjectSweep("p1", 2, 0));
    }

    @Test
    void eachChangedProjectBecomesACompletedSweepTaskWithItsCounts() {
        List<CompletedTask> tasks = Sweeper.tasksOf(new SweepAnswer(List.of(new ProjectSweep("p1", 2, 0),
                new ProjectSweep("p2", 0, 3))));

        assertThat(tasks).extracting(CompletedTask::projectKey).containsExactly("p1", "p2");
        assertThat(tasks).allSatisfy(task -> {
            assertThat(task.type()).isEqualTo(TaskType.SWEEP);
            assertThat(task.trigger()).isEqualTo("schedule");
        });
        assertThat(tasks.get(0).report().getMap()).isEqualTo(java.util.Map.of("leasesExpired", 2, "republished", 0));
        assertThat(tasks.get(1).log()).containsExactly("opened: scheduled sweep at mrn-service",
                "completed: 0 expired lease(s) back to pending, 3 pending instance(s) published again");
    }

    @Test
    void sweepThatChangedNothingRecordsNothing() throws Exception {
        assertThat(Sweeper.tasksOf(mapper.readValue("{\"projects\": []}", SweepAnswer.class))).isEmpty();
        assertThat(Sweeper.tasksOf(mapper.readValue("{}", SweepAnswer.class))).isEmpty();
        assertThat(Sweeper.tasksOf(new SweepAnswer(List.of(new ProjectSweep("p1", 0, 0))))).isEmpty();
    }
}
