package org.fhirsnapshot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConsoleUserTest {

    @Test
    void highestRoleInEachProjectCounts() {
        ConsoleUser user = ConsoleUser.of("ann", Set.of("project:a:reader", "project:a:manager", "project:b:exporter",
                "project:c-1:reader"));

        assertThat(user.projects()).isEqualTo(Map.of("a", "manager", "b", "exporter", "c-1", "reader"));
        assertThat(user.admin()).isFalse();
        assertThat(user.groups()).containsExactly("project:a:manager", "project:a:reader", "project:b:exporter",
                "project:c-1:reader");
    }

    @Test
    void adminAndUnknownGroupsAreReadAsTheServicesReadThem() {
        ConsoleUser user = ConsoleUser.of("root", Set.of("admin", "service", "project::reader", "project:x:owner",
                "projects:y:reader"));

        assertThat(user.admin()).isTrue();
        assertThat(user.projects()).isEmpty();
    }
}
