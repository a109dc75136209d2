package org.fhirsnapshot.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetryFilterTest {

    @Test
    void joinedRequestsRetryWhatEitherAskedFor() {
        RetryFilter merged = new RetryFilter(List.of("timeout"), List.of(3L))
                .merge(new RetryFilter(List.of("server_error", "timeout"), List.of(1L)));

        assertThat(merged.errorClasses()).containsExactly("server_error", "timeout");
        assertThat(merged.mappingIds()).containsExactly(1L, 3L);
    }

    @Test
    void aRequestWithoutFilterWidensAJoinedTaskToEveryFailedInstance() {
        RetryFilter merged = new RetryFilter(List.of("timeout"), List.of(3L)).merge(RetryFilter.ALL);

        assertThat(merged).isEqualTo(RetryFilter.ALL);
        assertThat(merged.describe()).isEqualTo("error classes any; mappings any");
    }

    @Test
    void emptyListsMeanAny() {
        assertThat(new RetryFilter(List.of(), List.of())).isEqualTo(RetryFilter.ALL);
    }
}
