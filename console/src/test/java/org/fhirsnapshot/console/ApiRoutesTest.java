package org.fhirsnapshot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiRoutesTest {

    @Test
    void eachPublicAddressGoesToItsService() {
        assertThat(route("/api/fhir-systems")).hasValue(new ApiRoute(Backend.CONFIG, false));
        assertThat(route("/api/fhir-systems/4/check")).hasValue(new ApiRoute(Backend.CONFIG, false));
        assertThat(route("/api/catalog/validate")).hasValue(new ApiRoute(Backend.CONFIG, false));
        assertThat(route("/api/projects")).hasValue(new ApiRoute(Backend.CONFIG, false));
        assertThat(route("/api/projects/demo")).hasValue(new ApiRoute(Backend.CONFIG, false));
        assertThat(route("/api/projects/demo/mappings/3")).hasValue(new ApiRoute(Backend.CONFIG, false));
        assertThat(route("/api/projects/demo/mrns/123")).hasValue(new ApiRoute(Backend.MRN, false));
        assertThat(route("/api/projects/demo/instances")).hasValue(new ApiRoute(Backend.MRN, false));
        assertThat(route("/api/projects/demo/summary")).hasValue(new ApiRoute(Backend.MRN, false));
        assertThat(route("/api/projects/demo/events")).hasValue(new ApiRoute(Backend.MRN, true));
        assertThat(route("/api/projects/demo/events/x")).hasValue(new ApiRoute(Backend.MRN, false));
        assertThat(route("/api/projects/demo/tasks/7")).hasValue(new ApiRoute(Backend.SYNC, false));
        assertThat(route("/api/projects/demo/archive")).hasValue(new ApiRoute(Backend.ARCHIVE, false));
        assertThat(route("/api/projects/demo/downloads")).hasValue(new ApiRoute(Backend.ARCHIVE, false));
        assertThat(route("/api/projects/demo/payloads/9")).hasValue(new ApiRoute(Backend.ARCHIVE, false));
    }

    @Test
    void everythingElseIsNotForwarded() {
        for (String path : new String[]{"/api", "/api/", "/api/internal/x", "/internal/projects/demo/mappings",
                "/q/health", "/api/q/metrics", "/api/projects/", "/api/projects/demo/", "/api/projects/demo/other",
                "/api/projects//summary", "/apix/projects"}) {
            assertThat(route(path)).as(path).isEmpty();
        }
    }

    private static Optional<ApiRoute> route(String path) {
        String[] parts = path.substring(1).split("/", -1);
        return ApiRoutes.route(List.of(parts));
    }
}
