package org.fhirsnapshot.console;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The console's route table: which service owns each public API address (docs/api.md). Only these are forwarded;
 * anything else under {@code /api} (and every {@code /internal/...} or {@code /q/...} address) is not.
 *
 * <pre>
 * /api/fhir-systems[/**], /api/catalog[/**], /api/projects, /api/projects/{key}, /api/projects/{key}/mappings[/**]
 *                                                                   → config-service
 * /api/projects/{key}/{mrns,instances,summary,events}[/**]          → mrn-service
 * /api/projects/{key}/tasks[/**]                                    → sync-service
 * /api/projects/{key}/{archive,downloads,payloads}[/**]             → archive-service
 * </pre>
 */
public final class ApiRoutes {

    private static final Set<String> MRN = Set.of("mrns", "instances", "summary", "events");
    private static final Set<String> ARCHIVE = Set.of("archive", "downloads", "payloads");

    private ApiRoutes() {
    }

    /**
     * The route of a path, from its decoded segments ({@code /api/projects/demo} → {@code [api, projects, demo]}), or
     * nothing when the console does not forward it. Empty segments (a trailing slash) match nothing.
     */
    public static Optional<ApiRoute> route(List<String> segments) {
        if (segments.size() < 2 || !segments.get(0).equals("api") || segments.contains("")) {
            return Optional.empty();
        }
        String area = segments.get(1);
        if (area.equals("fhir-systems") || area.equals("catalog")) {
            return Optional.of(new ApiRoute(Backend.CONFIG, false));
        }
        if (!area.equals("projects")) {
            return Optional.empty();
        }
        if (segments.size() <= 3) {
            return Optional.of(new ApiRoute(Backend.CONFIG, false));
        }
        String part = segments.get(3);
        if (part.equals("mappings")) {
            return Optional.of(new ApiRoute(Backend.CONFIG, false));
        }
        if (MRN.contains(part)) {
            return Optional.of(new ApiRoute(Backend.MRN, part.equals("events") && segments.size() == 4));
        }
        if (part.equals("tasks")) {
            return Optional.of(new ApiRoute(Backend.SYNC, false));
        }
        if (ARCHIVE.contains(part)) {
            return Optional.of(new ApiRoute(Backend.ARCHIVE, false));
        }
        return Optional.empty();
    }
}
