package org.fhirsnapshot.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestPathTest {

    @Test
    void normalPathIsSplitIntoDecodedSegments() {
        assertThat(RequestPath.parse("/api/projects/demo/mrns/AB%20C").segments())
                .containsExactly("api", "projects", "demo", "mrns", "AB C");
        assertThat(RequestPath.parse("/").segments()).containsExactly("");
        assertThat(RequestPath.parse("/api/").segments()).containsExactly("api", "");
    }

    @Test
    void pathsWhoseNormalFormDiffersAreRefused() {
        for (String path : List.of("/api/../internal", "/api/./x", "/api/x/..", "/api//x", "/api/%2e%2e/x",
                "/api/%2E/x", "/api/a%2fb", "/api/a%5Cb", "/api/a\\b", "/api/%00", "/api/%0D%0A", "/api/x\u0001",
                "/api/%zz", "/api/%4", "/api/%C3%28", "api/x", "")) {
            assertThatThrownBy(() -> RequestPath.parse(path)).as(path).isInstanceOf(RequestPath.Refused.class)
                    .hasMessageStartingWith("The address");
        }
    }
}
