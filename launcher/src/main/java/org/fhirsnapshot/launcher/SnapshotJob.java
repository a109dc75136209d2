package org.fhirsnapshot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.fhirsnapshot.infra.Service;

/**
 * The main job: registers the FHIR system, creates a project with its mappings and MRNs through the public APIs,
 * shows progress until every instance is completed or failed, then streams the archive to a file.
 */
public final class SnapshotJob {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STATUSES = {"pending", "fetching", "completed", "failed"};
    /** The job gives up when nothing moved for this long. */
    private static final Duration STALL_LIMIT = Duration.ofMinutes(10);

    /**
     * Limits for a FHIR system that is the built-in sandbox. config-service enforces {@code requestsPerSecond}
     * across every worker and defaults it to 20, the pace of a real EHR; the sandbox has no limit of its own (unless
     * a test sets one in its faults), so the demo need not crawl at that pace (at 20/s its ~800 requests would take
     * 40 s of waiting alone): 500 per second is several times what one worker asks of the sandbox on a laptop, so
     * the limiter never paces the demo, and it stays within the API's maximum of 1,000. 8 requests in flight per
     * worker is the worker's default concurrency, said explicitly.
     */
    public static final Map<String, Object> SANDBOX_LIMITS = Map.of("maxConcurrency", 8, "requestsPerSecond", 500);

    private final ApiClient api;
    private final Map<Service, String> urls;
    private final PrintStream out;

    /**
     * @param urls each service's base URL
     * @param api the client the job calls them with (it carries the bearer token, never printed)
     * @param out where the progress goes
     */
    public SnapshotJob(Map<Service, String> urls, ApiClient api, PrintStream out) {
        this.urls = urls;
        this.api = api;
        this.out = out;
    }

    /** The job against a local stack, as its launcher (an admin token signed with the stack's key). */
    public SnapshotJob(LocalStack stack, PrintStream out) {
        this(stack.urls(), stack.apiClient(), out);
    }

    /**
     * The three steps in a row: {@link #setup}, {@link #awaitAllFetched}, {@link #download}, the FHIR system
     * registered with config-service's default limits (right for a real EHR).
     */
    public SnapshotSummary run(SnapshotRequest request) {
        return run(request, null);
    }

    /**
     * As {@link #run(SnapshotRequest)}, registering the FHIR system with {@code fhirSystemLimits} (such as
     * {@link #SANDBOX_LIMITS}), or with the defaults when null.
     */
    public SnapshotSummary run(SnapshotRequest request, Map<String, Object> fhirSystemLimits) {
        Started started = setup(request, fhirSystemLimits);
        JsonNode summary = awaitAllFetched(started);
        return download(started, summary);
    }

    /**
     * A snapshot whose project exists, with its mappings and MRNs.
     *
     * @param request what was asked for
     * @param projectKey the project created for it
     * @param mrns MRNs accepted (added or already present)
     * @param expectedInstances MRNs times mappings
     * @param started when the first call was made
     */
    public record Started(SnapshotRequest request, String projectKey, long mrns, long expectedInstances,
            Instant started) {
    }

    /** Registers the FHIR system and creates the project, its mappings and its MRNs through the public APIs. */
    public Started setup(SnapshotRequest request) {
        return setup(request, null);
    }

    /**
     * As {@link #setup(SnapshotRequest)}, registering the FHIR system with {@code fhirSystemLimits} (api.md:
     * {@code maxConcurrency}, {@code requestsPerSecond}, {@code pageSize}), or with the defaults when null.
     */
    public Started setup(SnapshotRequest request, Map<String, Object> fhirSystemLimits) {
        Instant started = Instant.now();
        long systemId = registerFhirSystem(request, Map.of("type", "none"), fhirSystemLimits);
        return setup(request, systemId, started);
    }

    /**
     * Registers the request's FHIR server with config-service ({@code POST /api/fhir-systems}) and answers its id.
     *
     * @param auth the {@code auth} object of api.md, such as {@code {"type": "none"}} or {@code {"type":
     *        "smart-backend", "clientId": …}} (config-service then generates the key pair; its public JWK Set is
     *        at {@code /api/fhir-systems/{id}/jwks.json})
     * @param fhirSystemLimits {@code maxConcurrency}, {@code requestsPerSecond}, {@code pageSize}, or null for the
     *        defaults
     */
    public long registerFhirSystem(SnapshotRequest request, Map<String, Object> auth,
            Map<String, Object> fhirSystemLimits) {
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("name", "snapshot source");
        system.put("baseUrl", request.fhirBaseUrl());
        if (request.identifierSystem() != null) {
            system.put("patientIdentifierSystem", request.identifierSystem());
        }
        system.put("auth", auth);
        if (fhirSystemLimits != null) {
            system.put("limits", fhirSystemLimits);
        }
        return api.post(urls.get(Service.CONFIG) + "/api/fhir-systems", system).path("id").asLong();
    }

    /**
     * Creates the project on a FHIR system already registered ({@link #registerFhirSystem}), with the request's
     * mappings and MRNs; fetching starts as soon as the MRNs are in.
     */
    public Started setup(SnapshotRequest request, long fhirSystemId) {
        return setup(request, fhirSystemId, Instant.now());
    }

    private Started setup(SnapshotRequest request, long systemId, Instant started) {
        String config = urls.get(Service.CONFIG);
        String mrnService = urls.get(Service.MRN);

        String key = "snapshot-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
                .format(started);
        api.post(config + "/api/projects", Map.of("key", key, "name", "Snapshot " + key, "fhirSystemId", systemId,
                "enabled", true));

        Set<String> catalog = new HashSet<>();
        api.get(config + "/api/catalog/predefined").forEach(entry -> catalog.add(entry.path("key").asText()));
        for (String mapping : request.mappings()) {
            boolean predefined = catalog.contains(mapping);
            api.post(config + "/api/projects/" + key + "/mappings", Map.of("name", mapping, "type",
                    predefined ? "predefined" : "custom", "spec", mapping));
        }

        JsonNode added = api.postText(mrnService + "/api/projects/" + key + "/mrns", String.join("\n",
                request.mrns()));
        long mrns = added.path("added").asLong() + added.path("alreadyPresent").asLong();
        int rejected = added.path("rejected").size();
        out.printf("Project %s: %d MRNs (%d rejected), %d mappings%n", key, mrns, rejected, request.mappings().size());
        return new Started(request, key, mrns, mrns * request.mappings().size(), started);
    }

    /**
     * Shows progress until every instance is completed or failed; returns the project's last summary. Gives up when
     * nothing moved for a long while.
     */
    public JsonNode awaitAllFetched(Started snapshot) {
        return awaitAllFetched(summaryUrl(snapshot), snapshot.expectedInstances());
    }

    /** The URL of the project's summary (instance counts by status) in mrn-service. */
    public String summaryUrl(Started snapshot) {
        return urls.get(Service.MRN) + "/api/projects/" + snapshot.projectKey() + "/summary";
    }

    /** Streams the archive to the request's file and sums the snapshot up from {@code summary}. */
    public SnapshotSummary download(Started snapshot, JsonNode summary) {
        SnapshotRequest request = snapshot.request();
        out.println("Streaming the archive...");
        long bytes = api.download(urls.get(Service.ARCHIVE) + "/api/projects/" + snapshot.projectKey() + "/archive",
                request.out());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String status : STATUSES) {
            byStatus.put(status, summary.path("instances").path(status).asLong());
        }
        long protectedRecords = summary.path("protected").asLong();
        return new SnapshotSummary(snapshot.projectKey(), snapshot.mrns(), byStatus, protectedRecords,
                resourcesIn(request), request.out(), bytes, Duration.between(snapshot.started(), Instant.now()));
    }

    private JsonNode awaitAllFetched(String summaryUrl, long expected) {
        ProgressBar bar = new ProgressBar(out);
        long lastDone = -1;
        Instant lastMove = Instant.now();
        while (true) {
            JsonNode summary = api.get(summaryUrl);
            JsonNode instances = summary.path("instances");
            long completed = instances.path("completed").asLong();
            long failed = instances.path("failed").asLong();
            long active = completed + failed + instances.path("pending").asLong() + instances.path("fetching")
                    .asLong();
            long done = completed + failed;
            long total = Math.max(expected, active);
            bar.show(done, total, String.format("completed %d, failed %d (protected %d)", completed, failed,
                    summary.path("protected").asLong()));
            if (done >= expected && done == active) {
                bar.finish();
                return summary;
            }
            if (done != lastDone) {
                lastDone = done;
                lastMove = Instant.now();
            } else if (Duration.between(lastMove, Instant.now()).compareTo(STALL_LIMIT) > 0) {
                bar.finish();
                throw new IllegalStateException("no instance finished for " + STALL_LIMIT.toMinutes()
                        + " minutes; see the service logs");
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
    }

    /** Counts the clinical resources the archive's manifest reports. */
    private static long resourcesIn(SnapshotRequest request) {
        try (ZipFile zip = new ZipFile(request.out().toFile())) {
            ZipEntry manifest = zip.getEntry("manifest.json");
            if (manifest == null) {
                return 0;
            }
            try (InputStream in = zip.getInputStream(manifest)) {
                return JSON.readTree(in).path("counts").path("resources").asLong();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the archive " + request.out() + " is not a readable ZIP", e);
        }
    }
}
